import { UsageError } from '../core/errors.js';
import type { PromptAnswer } from '../core/prompt.js';
import type { RunEvent, RunHeader, StepStatus } from './events.js';
import type { JournalRecord, RunMetaRecord, RunSignedRecord } from './journal.js';
import {
  ensurePhase,
  layout,
  updatePhase,
  updateStep,
  updateStepById,
  type PhaseState,
  type StepState,
} from './run-state-steps.js';

export type { Destructive, PhaseState, StepState } from './run-state-steps.js';

export type SafetySnapshot = Omit<Extract<RunEvent, { type: 'safety.snapshot' }>, 'type'>;

/** A restore step's prediction (when it was made, on how many past restores) and, once it ended, its actual phases. */
export interface RestoreTiming {
  stepId: string;
  predictedAt?: number;
  predicted?: { runs: number; phases: Record<string, number>; totalMs: number };
  actual?: { phases: Record<string, number>; totalMs: number };
}

export interface UndoState {
  stepId: string;
  title: string;
  status: StepStatus;
  error?: string;
}

/** How a run (or one attempt of it, before a resume) ended, as run.finished says. */
export type RunEnd = Omit<Extract<RunEvent, { type: 'run.finished' }>, 'type' | 'reportPaths'> & {
  reportPaths: string[];
};

/** An attempt that ended before the run was resumed: failed, aborted, suspended or cut off. */
export interface Interruption {
  at: number;
  reason: string;
  /** When the run was resumed after it: the gap is resumedAt − at. */
  resumedAt?: number;
}

/**
 * A run as its journal tells it, folded from its records in order, and the one such fold: the engine resumes from
 * it, the report is drawn from it and the screen shows it (adding only what is not journaled: subtasks, progress,
 * logs). A resume (a later run.started) starts a new attempt: the earlier end becomes an interruption.
 */
export interface RunState {
  meta?: RunMetaRecord;
  header?: RunHeader;
  /** When the run began (the first attempt; the RTO clock runs from here). */
  startedAt?: number;
  /** The attempt under way is a resume. */
  resumed: boolean;
  phases: PhaseState[];
  currentStepId?: string;
  answers: Record<string, PromptAnswer>;
  undo: UndoState[];
  /** The current attempt's end, once it has one. */
  finished?: RunEnd;
  /** The current attempt stopped for a hang-up or SIGTERM, resumable. */
  suspended?: { at: number; reason: string; stepId?: string };
  interruptions: Interruption[];
  /** Approvers who signed the record, oldest first. */
  signoffs: Omit<RunSignedRecord, 'type'>[];
  /** Every safety snapshot the run took, oldest first: the first of a database is how it was before the run. */
  safetySnapshots: SafetySnapshot[];
  /** Each restore step's predicted and actual phase durations, in the order the steps ran. */
  restoreTimings: RestoreTiming[];
  /** The newest record's time. */
  lastAt?: number;
}

export class RunNotResumable extends UsageError {}

export function initialState(): RunState {
  return {
    resumed: false,
    phases: [],
    answers: {},
    undo: [],
    interruptions: [],
    safetySnapshots: [],
    signoffs: [],
    restoreTimings: [],
  };
}

/** The run as these records tell it. */
export function foldJournal(records: readonly JournalRecord[]): RunState {
  return records.reduce(applyRecord, initialState());
}

/** Pure: one record folded in. Keeps any other fields of `state`, so a screen can extend the state it folds. */
export function applyRecord<S extends RunState>(state: S, record: JournalRecord): S {
  const next = { ...state, lastAt: Math.max(state.lastAt ?? record.at, record.at) };
  switch (record.type) {
    case 'run.meta':
      return { ...next, meta: record, startedAt: next.startedAt ?? record.at };
    case 'run.started': {
      const { type: _type, at, resumed, ...header } = record;
      const again = Boolean(resumed) && state.header !== undefined;
      return {
        ...next,
        header,
        resumed: Boolean(resumed),
        startedAt: next.startedAt ?? at,
        // A resumed run keeps what the journal already says about its steps.
        phases: again ? next.phases : layout(header, next.phases),
        interruptions: again ? [...next.interruptions, { ...endOf(state), resumedAt: at }] : next.interruptions,
        finished: undefined,
        suspended: undefined,
      };
    }
    case 'run.signed': {
      const { type: _type, ...signoff } = record;
      return { ...next, signoffs: [...next.signoffs, signoff] };
    }
    case 'run.suspended':
      return { ...next, suspended: { at: record.at, reason: record.reason, stepId: record.stepId } };
    case 'run.finished': {
      const { type: _type, reportPaths, ...end } = record;
      return { ...next, currentStepId: undefined, finished: { ...end, reportPaths: reportPaths ?? [] } };
    }
    case 'phase.started':
      return {
        ...next,
        phases: updatePhase(ensurePhase(next.phases, record.phaseId, record.title), record.phaseId, (p) => ({
          ...p,
          status: 'running',
          startedAt: record.at,
          durationMs: undefined,
        })),
      };
    case 'phase.finished':
      return {
        ...next,
        phases: updatePhase(next.phases, record.phaseId, (p) => ({
          ...p,
          status: record.status,
          durationMs: record.durationMs,
        })),
      };
    case 'step.action':
      return {
        ...next,
        phases: updateStepById(next.phases, record.stepId, (s) => ({
          ...s,
          action: record.action,
          validation: record.validation,
        })),
      };
    case 'step.started':
      return {
        ...next,
        currentStepId: record.stepId,
        phases: updateStep(next.phases, record.phaseId, record.stepId, record.title, (s) => ({
          ...s,
          title: record.title,
          status: 'running',
          attempt: record.attempt,
          attempts: s.attempts + 1,
          startedAt: record.attempt === 1 || s.startedAt === undefined ? record.at : s.startedAt,
          finishedAt: undefined,
          durationMs: undefined,
          error: undefined,
          hint: undefined,
          markedDone: undefined,
          cancelling: undefined,
          cancelled: undefined,
        })),
      };
    case 'step.destructive': {
      const { type: _type, at: _at, stepId, ...destructive } = record;
      return { ...next, phases: updateStepById(next.phases, stepId, (s) => ({ ...s, destructive })) };
    }
    case 'safety.snapshot': {
      const { type: _type, ...snapshot } = record;
      return { ...next, safetySnapshots: [...next.safetySnapshots, snapshot] };
    }
    case 'restore.timing':
      return { ...next, restoreTimings: withTiming(next.restoreTimings ?? [], record) };
    case 'step.cancelling':
      return {
        ...next,
        phases: updateStepById(next.phases, record.stepId, (s) => ({ ...s, cancelling: record.reason })),
      };
    case 'step.finished':
      return {
        ...next,
        currentStepId: state.currentStepId === record.stepId ? undefined : state.currentStepId,
        phases: updateStep(next.phases, record.phaseId, record.stepId, record.stepId, (s) => ({
          ...s,
          status: record.status,
          finishedAt: record.at,
          durationMs: record.durationMs,
          outputs: record.outputs ?? {},
          error: record.error,
          hint: record.hint,
          markedDone: record.markedDone,
          cancelling: undefined,
          cancelled: record.cancelled,
          reason: record.reason,
        })),
      };
    case 'prompt.answered':
      return {
        ...next,
        answers: { ...next.answers, [record.promptId]: record.answer },
        phases: updateStepById(next.phases, record.stepId ?? '', (s) => ({
          ...s,
          waitingMs: s.waitingMs + (s.askedAt === undefined ? 0 : record.at - s.askedAt),
          askedAt: undefined,
        })),
      };
    case 'prompt.asked':
      return {
        ...next,
        phases: updateStepById(next.phases, record.stepId ?? '', (s) => ({ ...s, askedAt: record.at })),
      };
    case 'undo.started':
      return {
        ...next,
        undo: [
          ...next.undo.filter((u) => u.stepId !== record.stepId),
          { stepId: record.stepId, title: record.title, status: 'running' },
        ],
      };
    case 'undo.finished':
      return {
        ...next,
        undo: next.undo.map((u) =>
          u.stepId === record.stepId ? { ...u, status: record.status, error: record.error } : u,
        ),
      };
    case 'task.updated':
    case 'progress':
    case 'log':
      return next;
  }
}

/** Every step the run knows, in runbook order. */
export function stepsOf(state: RunState): StepState[] {
  return state.phases.flatMap((p) => p.steps);
}

export function findStep(state: RunState, stepId: string | undefined): StepState | undefined {
  return stepId === undefined ? undefined : stepsOf(state).find((s) => s.id === stepId);
}

/** A step that needs no more work on resume. */
export function isSettled(step: StepState | undefined, continueOnError: boolean): boolean {
  if (!step) return false;
  return step.status === 'succeeded' || step.status === 'skipped' || (step.status === 'failed' && continueOnError);
}

/** The journal of a run that can go on: it began, and it did not pass or get aborted. */
export function resumableState(records: readonly JournalRecord[], runId: string): RunState & { meta: RunMetaRecord } {
  const state = foldJournal(records);
  const { meta } = state;
  if (!meta)
    throw new RunNotResumable('The journal has no run header.', {
      hint: 'The run stopped before it began; start a new one.',
    });
  if (state.finished && state.finished.status !== 'failed') {
    const again = `pgdr ${meta.mode === 'drill' ? 'drill' : 'run'} ${meta.runbookId}`;
    throw new RunNotResumable(
      state.finished.status === 'aborted'
        ? `Run ${runId} was aborted, which ends a run for good (its undo was offered then); it cannot be resumed.`
        : `Run ${runId} already passed; there is nothing left to resume.`,
      {
        hint: `Start the scenario again: ${again}. \`pgdr report ${runId}\` shows what happened. (To stop a run and come back to it, choose Suspend, not Abort.)`,
      },
    );
  }
  return { ...state, meta };
}

/** How the attempt before a resume ended, in an operator's words. */
function endOf(state: RunState): Interruption {
  if (state.suspended) return { at: state.suspended.at, reason: state.suspended.reason };
  const end = state.finished;
  if (!end) return { at: state.lastAt ?? 0, reason: 'pgdr stopped without recording an end (killed or crashed)' };
  const failedStep = stepsOf(state).find((s) => s.status === 'failed' && s.error);
  const why = end.error ?? (failedStep ? `at step ${failedStep.id}: ${failedStep.error}` : undefined);
  const how = end.status === 'aborted' ? 'the run was aborted' : `the run ${end.status}`;
  return { at: end.at, reason: why ? `${how} ${end.error ? `(${why})` : why}` : how };
}

/** A step run again (a resume) starts its timing afresh with its new prediction. */
function withTiming(timings: RestoreTiming[], record: Extract<RunEvent, { type: 'restore.timing' }>): RestoreTiming[] {
  const others = timings.filter((t) => t.stepId !== record.stepId);
  const current = timings.find((t) => t.stepId === record.stepId);
  const { phases, totalMs } = record;
  if (record.kind === 'restore-predicted')
    return [
      ...others,
      { stepId: record.stepId, predictedAt: record.at, predicted: { runs: record.runs, phases, totalMs } },
    ];
  return [...others, { ...current, stepId: record.stepId, actual: { phases, totalMs } }];
}
