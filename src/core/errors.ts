/**
 * An error an operator can meet. `hint` says the next thing to try; `exitCode` is what the CLI exits with.
 * The CLI prints `message` and `hint` and never a stack trace for these.
 */
export class PgdrError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export class UsageError extends PgdrError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 2 });
  }
}

export class ToolNotFound extends PgdrError {}
export class ToolVersionMismatch extends PgdrError {}
export class ConnectionFailed extends PgdrError {}
export class BackupNotFound extends PgdrError {}
export class BackupLocked extends PgdrError {}
export class ChecksumMismatch extends PgdrError {}
export class DecryptionFailed extends PgdrError {}
export class StorageError extends PgdrError {}
export class Aborted extends PgdrError {
  constructor(message = 'Aborted by the operator.') {
    super(message, { exitCode: 130 });
  }
}

export function isPgdrError(error: unknown): error is PgdrError {
  return error instanceof PgdrError;
}
