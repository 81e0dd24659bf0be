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
  logs: LogLine[];
  /** The question the engine is waiting on, as announced by prompt.asked. */
  pendingPrompt?: PromptRequest;
}

/** Enough for the full-log view; older lines stay in the journal. */
export const LOG_LIMIT = 1000;

export function initialScreenState(now = Date.now()): ScreenState {
  return { ...initialState(), now, tasks: {}, progress: [], logs: [] };
}

function upsertTask(tasks: TaskView[] = [], event: Extract<RunEvent, { type: 'task.updated' }>): TaskView[] {
  const next: TaskView = { id: event.taskId, title: event.title, state: event.state, parentId: event.parentId };
  return tasks.some((t) => t.id === event.taskId)
    ? tasks.map((t) => (t.id === event.taskId ? next : t))
    : [...tasks, next];
}

function upsertProgress(progress: ProgressView[], event: Extract<RunEvent, { type: 'progress' }>): ProgressView[] {
  const key = `${event.stepId ?? ''}:${event.label}`;
  const existing = progress.find((p) => p.key === key);
  const { restarted: _restarted, ...sample } = nextSample(existing, event);
  const next: ProgressView = { key, stepId: event.stepId, label: event.label, unit: event.unit, ...sample };
  return existing ? progress.map((p) => (p.key === key ? next : p)) : [...progress, next];
}

/** Tool output can carry several lines, tabs and escape codes; the pane shows one clean line per row. */
function appendLog(logs: LogLine[], line: LogLine): LogLine[] {
  const parts = stripVTControlCharacters(line.message)
    .replace(/\t/g, '  ')
    .split(/\r?\n/)
    .filter((part, i, all) => part !== '' || (i > 0 && i < all.length - 1));
  const next = [...logs, ...parts.map((message) => ({ ...line, message }))];
  return next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
}

/** Pure: folds one engine event into what the screen shows (the journal's fold, plus subtasks, progress and logs). */
export function runReducer(state: ScreenState, event: RunEvent | JournalRecord): ScreenState {
  const next = applyRecord(state, event);
  switch (event.type) {
    case 'step.started':
      return { ...next, tasks: { ...next.tasks, [event.stepId]: [] } };
    case 'step.finished':
      return { ...next, progress: next.progress.filter((p) => p.stepId !== undefined && p.stepId !== event.stepId) };
    case 'task.updated':
      return { ...next, tasks: { ...next.tasks, [event.stepId]: upsertTask(next.tasks[event.stepId], event) } };
    case 'progress':
      return { ...next, progress: upsertProgress(next.progress, event) };
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
      return { ...next, progress: [], pendingPrompt: undefined };
    default:
      return next;
  }
}

/** Elapsed run time: the final duration once finished, otherwise the clock minus the start. */
export function elapsedMs(state: ScreenState): number {
  if (state.finished) return state.finished.durationMs;
  return state.startedAt === undefined ? 0 : Math.max(0, state.now - state.startedAt);
}
