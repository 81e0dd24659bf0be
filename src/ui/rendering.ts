import type { RunEvent } from '../runbook/events.js';
import type { RunHandle } from '../runbook/run-handle.js';
import type { JournalRecord } from '../runbook/journal.js';

/**
 * What a resumed run's journal said before this attempt, for a renderer to fold first: its steps, not how it ended
 * (it goes on now).
 */
export function journalSoFar(handle: RunHandle): JournalRecord[] {
  return (handle.earlier?.() ?? []).filter((r) => r.type !== 'run.finished' && r.type !== 'run.suspended');
}

/** What every renderer returns: `done` settles once the run has finished and the output is complete. */
export interface RunRendering {
  done: Promise<void>;
  stop(): void;
}

/** Replays the history, then follows live events; `done` resolves after run.finished has been handled. */
export function followRun(handle: RunHandle, onEvent: (event: RunEvent) => void): RunRendering {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let unsubscribe: () => void = () => {};
  const handleEvent = (event: RunEvent) => {
    onEvent(event);
    if (event.type === 'run.finished') {
      unsubscribe();
      finish();
    }
  };
  const past = handle.history();
  for (const event of past) handleEvent(event);
  if (!past.some((e) => e.type === 'run.finished')) unsubscribe = handle.subscribe(handleEvent);
  return {
    done,
    stop: () => {
      unsubscribe();
      finish();
    },
  };
}
