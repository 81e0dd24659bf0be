import { PgdrError } from '../core/errors.js';
import type { StepStatus } from './events.js';
import type { JournalRecord, RunMetaRecord } from './journal.js';

export interface StepRecord {
  status: StepStatus;
  startedAt?: number;
  finishedAt?: number;
  outputs: Record<string, unknown>;
  attempts: number;
  action?: string;
  error?: string;
}

/** A run as its journal tells it: what finished, what was running when the process stopped. */
export interface RunState {
  meta: RunMetaRecord;
  startedAt: number;
  steps: Map<string, StepRecord>;
  finished?: { status: string; at: number };
  answers: Map<string, unknown>;
}

export class RunNotResumable extends PgdrError {}

export function rebuildState(records: readonly JournalRecord[]): RunState {
  const meta = records.find((r): r is RunMetaRecord => r.type === 'run.meta');
  if (!meta)
    throw new RunNotResumable('The journal has no run header.', {
      hint: 'The run stopped before it began; start a new one.',
      exitCode: 2,
    });
  const started = records.find((r) => r.type === 'run.started');
  const state: RunState = { meta, startedAt: started?.at ?? meta.at, steps: new Map(), answers: new Map() };
  const step = (id: string) => {
    let record = state.steps.get(id);
    if (!record) state.steps.set(id, (record = { status: 'pending', outputs: {}, attempts: 0 }));
    return record;
  };
  for (const record of records) {
    switch (record.type) {
      case 'step.action':
        step(record.stepId).action = record.action;
        break;
      case 'step.started': {
        const s = step(record.stepId);
        s.status = 'running';
        s.startedAt ??= record.at;
        s.attempts = record.attempt;
        break;
      }
      case 'step.finished': {
        const s = step(record.stepId);
        s.status = record.status;
        s.finishedAt = record.at;
        s.outputs = record.outputs ?? {};
        s.error = record.error;
        break;
      }
      case 'prompt.answered':
        state.answers.set(record.promptId, record.answer);
        break;
      case 'run.finished':
        state.finished = { status: record.status, at: record.at };
        break;
      case 'run.started':
        // A resumed run that got going again is no longer finished.
        if (record.resumed) state.finished = undefined;
        break;
      default:
        break;
    }
  }
  return state;
}

/** A step that needs no more work on resume. */
export function isSettled(record: StepRecord | undefined, continueOnError: boolean): boolean {
  if (!record) return false;
  return (
    record.status === 'succeeded' || record.status === 'skipped' || (record.status === 'failed' && continueOnError)
  );
}
