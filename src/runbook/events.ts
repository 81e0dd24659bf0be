import type { PromptAnswer, PromptRequest } from '../core/prompt.js';
import type { RunMode, TaskUpdated } from '../actions/registry.js';
import type { RestoreTimingFact } from '../core/context.js';

/**
 * What the run engine tells its subscribers. The Ink UI, the plain line renderer and `--json` are three
 * subscribers to these same events; the journal records them too. Times are epoch milliseconds.
 */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'aborted';
export type RunStatus = 'passed' | 'failed' | 'aborted';
/** Why a running step is being stopped: the operator aborted, the run is being suspended, or its timeout passed. */
export type CancelReason = 'abort' | 'suspend' | 'timeout';

export interface RunHeader {
  runId: string;
  runbook: { id: string; title: string; severity?: string; rtoMs?: number; rpoMs?: number; description?: string };
  mode: RunMode;
  /** Redacted. */
  target?: string;
  /** Where restores go when that is not `target` (a drill's scratch database), redacted: the header shows both. */
  restoresInto?: string;
  operator: string;
  phases: {
    id: string;
    title: string;
    /** The phase's own target, when the runbook gives one. */
    rtoMs?: number;
    steps: { id: string; title: string; manual?: boolean; action?: string }[];
  }[];
  /** The pgdr process running this attempt: a run whose process is gone without an end recorded was cut off. */
  process?: { pid: number; host: string };
  /** False when the run cannot be resumed (a sandbox drill: its cluster goes when it ends), so Suspend is not offered. */
  resumable?: boolean;
}

export type RunEvent =
  | ({ type: 'run.started'; at: number; resumed?: boolean } & RunHeader)
  | { type: 'phase.started'; at: number; phaseId: string; title: string }
  | { type: 'phase.finished'; at: number; phaseId: string; status: StepStatus; durationMs: number }
  | { type: 'step.started'; at: number; phaseId: string; stepId: string; title: string; attempt: number }
  /**
   * The step is about to change a database that holds data (an in-place restore): stopping it now leaves that
   * database part-way. The screen asks for its name before an abort; the undo question then defaults to No.
   */
  | {
      type: 'step.destructive';
      at: number;
      stepId: string;
      /** The run's target profile, its server (redacted URL) and the database changed. */
      target: string;
      server: string;
      database: string;
      /** What happens to it, in the operator's words: "restored in place". */
      what: string;
    }
  /** A safety snapshot of a database was taken before a step changed it: the command that puts it back needs its id. */
  | {
      type: 'safety.snapshot';
      at: number;
      stepId: string;
      id: string;
      database: string;
      server: string;
      repository: string;
    }
  /**
   * A restore step's timing: each phase's expected duration before it starts (from `runs` past restores, 0: a first
   * guess), then each phase's actual duration. The RTO bar shows the predicted end; the report, predicted vs actual.
   */
  | ({ type: 'restore.timing'; at: number; stepId: string } & RestoreTimingFact)
  /** The step's action was told to stop and the engine waits for it: the screen says "cancelling…" until step.finished. */
  | { type: 'step.cancelling'; at: number; stepId: string; reason: CancelReason }
  | {
      type: 'step.finished';
      at: number;
      phaseId: string;
      stepId: string;
      status: StepStatus;
      durationMs: number;
      outputs?: Record<string, unknown>;
      error?: string;
      hint?: string;
      /** The run stopped while the step ran and the operator, on resume, said it had finished: pgdr did not see it. */
      markedDone?: boolean;
      /** It was stopped (its action settled after being told to), and why. */
      cancelled?: CancelReason;
      /** Skipped by its action, and why ("no notification channel configured"). */
      reason?: string;
    }
  | TaskUpdated
  | {
      type: 'progress';
      at: number;
      stepId?: string;
      label: string;
      done: number;
      total?: number;
      unit: 'bytes' | 'rows' | 'items';
    }
  | { type: 'log'; at: number; stepId?: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'prompt.asked'; at: number; stepId?: string; prompt: PromptRequest }
  | { type: 'prompt.answered'; at: number; stepId?: string; promptId: string; answer: PromptAnswer }
  | { type: 'undo.started'; at: number; stepId: string; title: string }
  | { type: 'undo.finished'; at: number; stepId: string; status: StepStatus; error?: string }
  | {
      type: 'run.finished';
      at: number;
      status: RunStatus;
      durationMs: number;
      /**
       * From the start to the end of the last phase: the recovery the RTO measures. What the run does after it (a
       * drill's cleanup of its scratch database, the undo of an aborted run) counts in durationMs only.
       */
      recoveredMs?: number;
      rtoMs?: number;
      rtoMet?: boolean;
      rpoMs?: number;
      reportPaths?: string[];
      error?: string;
    }
  /** Told to the screen too, so the next steps at the end no longer ask for a signature the record has. */
  | RunSignedRecord;

/** An approver signed the record of a finished run (`pgdr report sign`, or the question at the end of a drill). */
export interface RunSignedRecord {
  type: 'run.signed';
  at: number;
  approver: string;
  note?: string;
  followUps?: { what: string; owner: string }[];
}

export type RunEventListener = (event: RunEvent) => void;
