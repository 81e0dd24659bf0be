import type { Destructive } from '../runbook/run-state.js';
import { findStep } from '../runbook/run-state.js';
import type { ScreenState } from './run-state.js';

export type StopChoice = 'continue' | 'suspend' | 'abort';

export interface StopContext {
  runId: string;
  resumable: boolean;
  /** The running step changes this database in place: stopping leaves it part-way, so its name is typed first. */
  destructive?: Destructive & { stepTitle: string };
}

/** What the stop dialog needs to know: the run, whether it can be resumed, and a change in place under way. */
export function stopContext(state: ScreenState): StopContext {
  const running = findStep(state, state.currentStepId);
  return {
    runId: state.header?.runId ?? '',
    resumable: state.header?.resumable !== false,
    destructive:
      running?.status === 'running' && running.destructive
        ? { ...running.destructive, stepTitle: running.title }
        : undefined,
  };
}
