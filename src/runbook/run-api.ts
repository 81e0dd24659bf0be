import type { ActionRegistry, RunMode, TargetProfile } from '../actions/registry.js';
import type { RunServices, ServiceRecipe } from '../actions/run-services.js';
import type { Prompter } from '../core/prompt.js';
import type { RunStatus } from './events.js';
import type { Ask } from './inputs.js';
import type { JournalRecord, RunMetaRecord } from './journal.js';
import type { LoadedRunbook } from './loader.js';
import type { RunHandle } from './run-handle.js';
import type { Clock } from './rto.js';

export interface RunOptions {
  prompter: Prompter;
  runsDir: string;
  actions: ActionRegistry;
  targets?: Record<string, TargetProfile>;
  clock?: Clock;
  operator?: string;
  /** The operator's own name for the record (the CLI asks it once and remembers it). */
  operatorName?: string;
  /** Repository, keys and notification channels for the backup, restore and notify actions. */
  services?: RunServices;
  /** How the services were built (journaled, no secrets), so that a resume can build them again. */
  recipe?: ServiceRecipe;
  /**
   * On resume: builds the targets and services again from the journal's header, asking (through the run's prompter,
   * so the screen shows it) only for a secret it cannot find. Targets given in `targets` win over rebuilt ones.
   */
  rebuild?: (
    meta: RunMetaRecord,
    ask: Ask,
  ) => Promise<{ targets: Record<string, TargetProfile>; services: RunServices }>;
  /** How long a cancelled step's action gets to stop before the step is recorded as stopped anyway (default 60 s). */
  cancelGraceMs?: number;
  /** Writes the report when the run ends (the CLI passes report/write's) and returns its paths; without it, none. */
  writeReports?: (runDir: string, records: readonly JournalRecord[]) => string[];
}

export interface CreateRunOptions extends RunOptions {
  runbook: LoadedRunbook;
  mode: RunMode;
  inputs?: Record<string, string>;
  runId?: string;
}

export interface RunResult {
  runId: string;
  runDir: string;
  /** 'suspended': stopped by a hang-up or SIGTERM without aborting; `pgdr run --resume` continues it. */
  status: RunStatus | 'suspended';
  durationMs: number;
  rtoMs: number;
  rtoMet: boolean;
  rpoMs?: number;
  reportPaths: string[];
  error?: string;
  /** Why it was suspended ("SIGHUP", "suspended by the operator"). */
  suspendedBy?: string;
  /** The exit code the error that failed it calls for (2 for input pgdr could not use), when one did. */
  exitCode?: number;
}

export interface Run extends RunHandle {
  readonly runId: string;
  readonly runDir: string;
  start(): Promise<RunResult>;
  /** Stop taking steps and leave the run resumable (SIGHUP, SIGTERM). */
  suspend(reason: string): void;
}
