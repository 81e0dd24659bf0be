import { stripVTControlCharacters } from 'node:util';
import type { ProgressUnit } from '../core/context.js';
import { nextSample } from './progress-math.js';
import type { PromptRequest, RunEvent, RunHeader, RunStatus, StepStatus, TaskState } from '../runbook/events.js';

export interface StepView {
  id: string;
  phaseId: string;
  title: string;
  manual?: boolean;
  status: StepStatus;
  attempt: number;
  startedAt?: number;
  durationMs?: number;
  error?: string;
  hint?: string;
}

export interface PhaseView {
  id: string;
  title: string;
  status: StepStatus;
  startedAt?: number;
  durationMs?: number;
  steps: StepView[];
}

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

export interface UndoView {
  stepId: string;
  title: string;
  status: StepStatus;
  error?: string;
}

export interface RunResult {
  at: number;
  status: RunStatus;
  durationMs: number;
  rtoMs?: number;
  rtoMet?: boolean;
  rpoMs?: number;
  reportPaths: string[];
  error?: string;
}

export interface RunState {
  header?: RunHeader;
  resumed: boolean;
  startedAt?: number;
  /** Wall clock used for elapsed times; advanced by the store, not by events. */
  now: number;
  phases: PhaseView[];
  currentStepId?: string;
  tasks: Record<string, TaskView[]>;
  progress: ProgressView[];
  logs: LogLine[];
  /** The question the engine is waiting on, as announced by prompt.asked. */
  pendingPrompt?: PromptRequest;
  undo: UndoView[];
  result?: RunResult;
}

/** Enough for the full-log view; older lines stay in the journal. */
export const LOG_LIMIT = 1000;

export function initialRunState(now = Date.now()): RunState {
  return { resumed: false, now, phases: [], tasks: {}, progress: [], logs: [], undo: [] };
}

function updatePhase(state: RunState, phaseId: string, update: (phase: PhaseView) => PhaseView): PhaseView[] {
  return state.phases.map((phase) => (phase.id === phaseId ? update(phase) : phase));
}

function ensurePhase(state: RunState, phaseId: string, title: string): PhaseView[] {
  if (state.phases.some((p) => p.id === phaseId)) return state.phases;
  return [...state.phases, { id: phaseId, title, status: 'pending', steps: [] }];
}

function updateStep(
  phases: PhaseView[],
  phaseId: string,
  stepId: string,
  title: string,
  update: (step: StepView) => StepView,
): PhaseView[] {
  return phases.map((phase) => {
    if (phase.id !== phaseId) return phase;
    const known = phase.steps.some((s) => s.id === stepId);
    const steps = known
      ? phase.steps
      : [...phase.steps, { id: stepId, phaseId, title, status: 'pending' as const, attempt: 0 }];
    return { ...phase, steps: steps.map((s) => (s.id === stepId ? update(s) : s)) };
  });
}

function fromHeader(header: RunHeader): PhaseView[] {
  return header.phases.map((phase) => ({
    id: phase.id,
    title: phase.title,
    status: 'pending',
    steps: phase.steps.map((step) => ({
      id: step.id,
      phaseId: phase.id,
      title: step.title,
      manual: step.manual,
      status: 'pending',
      attempt: 0,
    })),
  }));
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

/** Pure: folds one engine event into what the screen shows. */
export function runReducer(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'run.started': {
      const { type: _type, at, resumed, ...header } = event;
      // A resumed run keeps what the replayed history already says about finished steps.
      const phases = resumed && state.phases.length > 0 ? state.phases : fromHeader(header);
      return {
        ...state,
        header,
        resumed: Boolean(resumed),
        startedAt: state.startedAt ?? at,
        phases,
        result: undefined,
      };
    }
    case 'phase.started': {
      const phases = ensurePhase(state, event.phaseId, event.title);
      return {
        ...state,
        phases: updatePhase({ ...state, phases }, event.phaseId, (p) => ({
          ...p,
          status: 'running',
          startedAt: event.at,
          durationMs: undefined,
        })),
      };
    }
    case 'phase.finished':
      return {
        ...state,
        phases: updatePhase(state, event.phaseId, (p) => ({
          ...p,
          status: event.status,
          durationMs: event.durationMs,
        })),
      };
    case 'step.started': {
      const phases = updateStep(
        ensurePhase(state, event.phaseId, event.phaseId),
        event.phaseId,
        event.stepId,
        event.title,
        (s) => ({
          ...s,
          title: event.title,
          status: 'running',
          attempt: event.attempt,
          startedAt: event.at,
          durationMs: undefined,
          error: undefined,
          hint: undefined,
        }),
      );
      return { ...state, phases, currentStepId: event.stepId, tasks: { ...state.tasks, [event.stepId]: [] } };
    }
    case 'step.finished': {
      const phases = updateStep(
        ensurePhase(state, event.phaseId, event.phaseId),
        event.phaseId,
        event.stepId,
        event.stepId,
        (s) => ({
          ...s,
          status: event.status,
          durationMs: event.durationMs,
          error: event.error,
          hint: event.hint,
        }),
      );
      const progress = state.progress.filter((p) => p.stepId !== undefined && p.stepId !== event.stepId);
      const currentStepId = state.currentStepId === event.stepId ? undefined : state.currentStepId;
      return { ...state, phases, progress, currentStepId };
    }
    case 'task.updated':
      return { ...state, tasks: { ...state.tasks, [event.stepId]: upsertTask(state.tasks[event.stepId], event) } };
    case 'progress':
      return { ...state, progress: upsertProgress(state.progress, event) };
    case 'log':
      return {
        ...state,
        logs: appendLog(state.logs, { at: event.at, level: event.level, message: event.message, stepId: event.stepId }),
      };
    case 'prompt.asked':
      return { ...state, pendingPrompt: event.prompt };
    case 'prompt.answered':
      return state.pendingPrompt?.id === event.promptId ? { ...state, pendingPrompt: undefined } : state;
    case 'undo.started':
      return {
        ...state,
        undo: [
          ...state.undo.filter((u) => u.stepId !== event.stepId),
          { stepId: event.stepId, title: event.title, status: 'running' },
        ],
      };
    case 'undo.finished':
      return {
        ...state,
        undo: state.undo.map((u) =>
          u.stepId === event.stepId ? { ...u, status: event.status, error: event.error } : u,
        ),
      };
    case 'run.finished': {
      const { type: _type, reportPaths, ...rest } = event;
      return {
        ...state,
        currentStepId: undefined,
        progress: [],
        pendingPrompt: undefined,
        result: { ...rest, reportPaths: reportPaths ?? [] },
      };
    }
  }
}

export function findStep(state: RunState, stepId: string | undefined): StepView | undefined {
  if (!stepId) return undefined;
  for (const phase of state.phases) {
    const step = phase.steps.find((s) => s.id === stepId);
    if (step) return step;
  }
  return undefined;
}

/** Elapsed run time: the final duration once finished, otherwise the clock minus the start. */
export function elapsedMs(state: RunState): number {
  if (state.result) return state.result.durationMs;
  return state.startedAt === undefined ? 0 : Math.max(0, state.now - state.startedAt);
}
