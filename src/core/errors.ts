/** What a PgdrError may carry besides its message. */
export interface ErrorOptions {
  /** The next thing to try. */
  hint?: string;
  cause?: unknown;
  /** @deprecated The class decides the exit code; left for the restore code until it moves to classes too. */
  exitCode?: number;
}

/**
 * An error an operator can meet: the CLI prints `message` and `hint` and never a stack trace. The class decides the
 * exit code, as in pgBackRest's error table: 1 by default, 2 for input pgdr cannot use (UsageError and its kinds),
 * 3 when a safety rule refused, 130 when the operator stopped it.
 */
export class PgdrError extends Error {
  static readonly exitCode: number = 1;
  readonly hint: string | undefined;
  private readonly exitOverride: number | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitOverride = options.exitCode;
  }

  /** What the CLI exits with. */
  get exitCode(): number {
    return this.exitOverride ?? (this.constructor as typeof PgdrError).exitCode;
  }
}

/** Input pgdr cannot use as given: a flag, a name, a file, a runbook, an answer. Exit 2. */
export class UsageError extends PgdrError {
  static override readonly exitCode: number = 2;

  constructor(message: string, hint?: string | ErrorOptions) {
    super(message, typeof hint === 'string' || hint === undefined ? { hint } : hint);
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

/** The operator stopped it (Ctrl-C, q). Exit 130, as a shell reports SIGINT. */
export class Aborted extends PgdrError {
  static override readonly exitCode: number = 130;

  constructor(message = 'Aborted by the operator.') {
    super(message);
  }
}

export function isPgdrError(error: unknown): error is PgdrError {
  return error instanceof PgdrError;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
