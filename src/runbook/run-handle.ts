import type { RunEvent, RunEventListener } from './events.js';
import type { JournalRecord } from './journal.js';

/** What a UI gets to observe and steer a run. */
export interface RunHandle {
  /**
   * A resumed run's journal as it stood before this attempt (redacted): a screen folds it first, so it shows the
   * phases already done as done and the RTO clock running from the run's first start.
   */
  earlier?(): readonly JournalRecord[];
  /** Subscribes; returns the unsubscribe function. Late subscribers should call `history()` first. */
  subscribe(listener: RunEventListener): () => void;
  history(): readonly RunEvent[];
  /** The operator chose Abort: the engine stops the running step, asks whether to run the undo actions, and ends. */
  requestAbort(): void;
  /** The operator chose Suspend (or a hang-up came): the engine stops the running step and leaves the run resumable. */
  suspend(reason: string): void;
}
