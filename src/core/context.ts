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

/**
 * Points a restore passes: the archive checked (checksum, key, table of contents), then its data and indexes
 * loaded. Whoever shows the work as steps (a runbook's subtasks) follows these typed events, never the wording of a
 * log line.
 */
export type OperationStage = 'checked' | 'loaded';

/** Milliseconds per phase of a restore (src/restore/restore-phases.ts names them). */
export type PhaseMs = Record<string, number>;

/**
 * A restore's timing: its prediction before it starts (from `runs` past restores; 0: a first guess), and each phase's
 * actual duration once it ends. A runbook journals both, so its screen and report show predicted against actual.
 */
export type RestoreTimingFact =
  | { kind: 'restore-predicted'; runs: number; phases: PhaseMs; totalMs: number }
  | { kind: 'restore-timed'; phases: PhaseMs; totalMs: number };

/** A fact an operation learns on the way that its caller must keep even if the operation then fails or is stopped. */
export type OperationFact =
  { kind: 'safety-snapshot'; id: string; database: string; repository: string } | RestoreTimingFact;

export interface OperationContext {
  log: Logger;
  progress: (update: ProgressUpdate) => void;
  signal: AbortSignal;
  /** Told each stage as it is reached; absent where nobody follows them (a command prints its log lines). */
  stage?: (stage: OperationStage) => void;
  /** Told each fact as soon as it is known (a runbook step journals it). */
  note?: (fact: OperationFact) => void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function quietContext(signal: AbortSignal = new AbortController().signal): OperationContext {
  return { log: silentLogger, progress: () => {}, signal };
}
