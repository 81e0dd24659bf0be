/** What a long operation (backup, restore, verify) receives from whoever runs it: CLI, runbook step or test. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type ProgressUnit = 'bytes' | 'rows' | 'items';

export interface ProgressUpdate {
  /** Short operator-facing label: "dump", "upload", "restore". */
  label: string;
  done: number;
  total?: number;
  unit: ProgressUnit;
}

export interface OperationContext {
  log: Logger;
  progress: (update: ProgressUpdate) => void;
  signal: AbortSignal;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function quietContext(signal: AbortSignal = new AbortController().signal): OperationContext {
  return { log: silentLogger, progress: () => {}, signal };
}
