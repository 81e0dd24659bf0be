import { stripVTControlCharacters } from 'node:util';
import type { ProgressUnit } from '../core/context.js';
import { nextSample } from './progress-math.js';
import type { PromptRequest } from '../core/prompt.js';
import type { RunEvent } from '../runbook/events.js';
import type { TaskState } from '../actions/registry.js';
import { applyRecord, initialState, type RunState } from '../runbook/run-state.js';
import type { JournalRecord } from '../runbook/journal.js';

export interface TaskView {
  id: string;
  title: string;
  state: TaskState;
  parentId?: string;
}

export interface ProgressView {
  key: string;
  stepId?: string;
  label: string;
  unit: ProgressUnit;
  done: number;
  total?: number;
  firstAt: number;
  firstDone: number;
  at: number;
}

export interface LogLine {
  at: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  stepId?: string;
}

/** What the screen shows: the run as the journal's fold tells it, and what is not journaled as state. */
export interface ScreenState extends RunState {
  /** Wall clock used for elapsed times; advanced by the store, not by events. */
  now: number;
  tasks: Record<string, TaskView[]>;
  progress: ProgressView[];
  /** Bars of the running step that are done, or that the next stage left behind: one dim line, not a stuck bar. */
  finishedBars: ProgressView[];
  logs: LogLine[];
  /** The question the engine is waiting on, as announced by prompt.asked. */
  pendingPrompt?: PromptRequest;
}

/** Enough for the full-log view; older lines stay in the journal. */
export const LOG_LIMIT = 1000;

export function initialScreenState(now = Date.now()): ScreenState {
  return { ...initialState(), now, tasks: {}, progress: [], finishedBars: [], logs: [] };
}

function upsertTask(tasks: TaskView[] = [], event: Extract<RunEvent, { type: 'task.updated' }>): TaskView[] {
  const next: TaskView = { id: event.taskId, title: event.title, state: event.state, parentId: event.parentId };
  return tasks.some((t) => t.id === event.taskId)
    ? tasks.map((t) => (t.id === event.taskId ? next : t))
    : [...tasks, next];
}

/** A bar the next stage left behind: no reading for this long while another bar of its step moves. */
const LEFT_BEHIND_MS = 2000;

function upsertProgress(
  state: Pick<ScreenState, 'progress' | 'finishedBars'>,
  event: Extract<RunEvent, { type: 'progress' }>,
): Pick<ScreenState, 'progress' | 'finishedBars'> {
  const key = `${event.stepId ?? ''}:${event.label}`;
  const existing = state.progress.find((p) => p.key === key);
  const { restarted: _restarted, ...sample } = nextSample(existing, event);
  const next: ProgressView = { key, stepId: event.stepId, label: event.label, unit: event.unit, ...sample };
  const others = state.progress.filter((p) => p.key !== key);
  // A stage's bar stays while it moves; once complete, or still while a later stage moves on, it folds away.
  const over = (p: ProgressView) =>
    p.stepId === event.stepId && ((p.total !== undefined && p.done >= p.total) || event.at - p.at >= LEFT_BEHIND_MS);
  const folded = others.filter(over);
  return {
    progress: [
      ...(existing ? state.progress.map((p) => (p.key === key ? next : p)) : [...state.progress, next]),
    ].filter((p) => !folded.includes(p)),
    finishedBars: [...state.finishedBars.filter((p) => p.key !== key), ...folded],
  };
}

/** "pg_restore: pg_restore: error: …" (a tool quoting itself, then pgdr quoting it) reads as "pg_restore: error: …". */
function oncePrefixed(message: string): string {
  return message.replace(/^([\w.-]+: )(?:\1)+/, '$1');
}

/** Tool output can carry several lines, tabs and escape codes; the pane shows one clean line per row. */
function appendLog(logs: LogLine[], line: LogLine): LogLine[] {
  const parts = stripVTControlCharacters(oncePrefixed(line.message))
    .replace(/\t/g, '  ')
    .split(/\r?\n/)
    .filter((part, i, all) => part !== '' || (i > 0 && i < all.length - 1));
  const next = [...logs, ...parts.map((message) => ({ ...line, message }))];
  return next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
}

/** Pure: folds one engine event into what the screen shows (the journal's fold, plus subtasks, progress and logs). */
/** A bar at 100 % folds away as soon as anything else of its step happens (a subtask, a log line). */
function foldComplete(state: ScreenState, stepId: string | undefined): ScreenState {
  const done = state.progress.filter((p) => p.stepId === stepId && p.total !== undefined && p.done >= p.total);
  if (done.length === 0) return state;
  return {
    ...state,
    progress: state.progress.filter((p) => !done.includes(p)),
    finishedBars: [...state.finishedBars, ...done],
  };
}

export function runReducer(state: ScreenState, event: RunEvent | JournalRecord): ScreenState {
  const next =
    event.type === 'task.updated' || event.type === 'log'
      ? foldComplete(applyRecord(state, event), event.stepId)
      : applyRecord(state, event);
  switch (event.type) {
    case 'step.started':
      return { ...next, tasks: { ...next.tasks, [event.stepId]: [] } };
    case 'step.finished':
      return {
        ...next,
        progress: next.progress.filter((p) => p.stepId !== undefined && p.stepId !== event.stepId),
        finishedBars: next.finishedBars.filter((p) => p.stepId !== event.stepId),
      };
    case 'task.updated':
      return { ...next, tasks: { ...next.tasks, [event.stepId]: upsertTask(next.tasks[event.stepId], event) } };
    case 'progress':
      return { ...next, ...upsertProgress(next, event) };
    case 'log':
      return {
        ...next,
        logs: appendLog(next.logs, { at: event.at, level: event.level, message: event.message, stepId: event.stepId }),
      };
    case 'prompt.asked':
      return { ...next, pendingPrompt: event.prompt };
    case 'prompt.answered':
      return next.pendingPrompt?.id === event.promptId ? { ...next, pendingPrompt: undefined } : next;
    case 'run.finished':
      return { ...next, progress: [], finishedBars: [], pendingPrompt: undefined };
    default:
      return next;
  }
}

/** Elapsed run time: the final duration once finished, otherwise the clock minus the start. */
export function elapsedMs(state: ScreenState): number {
  if (state.finished) return state.finished.durationMs;
  return state.startedAt === undefined ? 0 : Math.max(0, state.now - state.startedAt);
}

/**
 * When, on the run's clock, the restore step under way is predicted to end: when its prediction came plus the
 * predicted total, or now once that has passed. Undefined when no restore with a prediction is running.
 */
export function predictedEndMs(state: ScreenState): number | undefined {
  if (state.finished || state.startedAt === undefined) return undefined;
  const timing = state.restoreTimings.find((t) => t.stepId === state.currentStepId && t.predicted && !t.actual);
  if (!timing?.predicted || timing.predictedAt === undefined) return undefined;
  return Math.max(elapsedMs(state), timing.predictedAt - state.startedAt + timing.predicted.totalMs);
}
