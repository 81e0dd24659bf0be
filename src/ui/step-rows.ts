import type { StepStatus } from '../runbook/events.js';
import type { TaskState } from '../actions/registry.js';
import { formatDuration } from '../core/duration.js';
import type { PhaseState, StepState } from '../runbook/run-state.js';
import type { ScreenState, TaskView } from './run-state.js';

/** One screen row of the step list; building rows first lets the list fit the terminal's height. */
export type StepRow =
  | { kind: 'phase'; key: string; status: StepStatus; title: string; time: string; note?: string }
  | { kind: 'step'; key: string; status: StepStatus; title: string; time: string }
  | { kind: 'error' | 'hint' | 'reason'; key: string; text: string }
  | { kind: 'task'; key: string; state: TaskState; title: string; depth: number }
  | { kind: 'more'; key: string; count: number };

function duration(item: { status: string; startedAt?: number; durationMs?: number }, now: number): string {
  if (item.durationMs !== undefined) return formatDuration(item.durationMs);
  if (item.status === 'running' && item.startedAt !== undefined) return formatDuration(now - item.startedAt);
  return '';
}

/** A phase shows its steps while it runs or if it went wrong; finished and future phases stay one line. */
function expanded(phase: PhaseState): boolean {
  return (
    phase.status === 'running' ||
    phase.status === 'failed' ||
    phase.steps.some((s) => s.status === 'running' || s.status === 'failed')
  );
}

/** A folded phase keeps, on its own line, what a step of it did not do (a notification nobody got). */
function phaseNote(phase: PhaseState): string | undefined {
  const skipped = phase.steps.find((s) => s.reason);
  return skipped ? `${skipped.title} skipped: ${firstLine(skipped.reason!)}` : undefined;
}

function depth(task: TaskView, byId: Map<string, TaskView>): number {
  let level = 0;
  let parent = task.parentId ? byId.get(task.parentId) : undefined;
  while (parent && level < 4) {
    level++;
    parent = parent.parentId ? byId.get(parent.parentId) : undefined;
  }
  return level;
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}

function stepRows(step: StepState, now: number, tasks: TaskView[]): StepRow[] {
  const title = `${step.title}${step.manual ? ' (manual)' : ''}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}${step.cancelling ? ' — cancelling…' : ''}`;
  const rows: StepRow[] = [
    { kind: 'step', key: `s:${step.id}`, status: step.status, title, time: duration(step, now) },
  ];
  // One row each: a multi-line error keeps its first line here; the log pane has the rest.
  if (step.error) rows.push({ kind: 'error', key: `e:${step.id}`, text: firstLine(step.error) });
  if (step.hint) rows.push({ kind: 'hint', key: `h:${step.id}`, text: `hint: ${firstLine(step.hint)}` });
  if (step.reason) rows.push({ kind: 'reason', key: `r:${step.id}`, text: `skipped: ${firstLine(step.reason)}` });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finished = tasks.filter((t) => t.state === 'done' || t.state === 'skipped');
  // Many subtasks: finished ones fold into one line so the running one stays in view.
  const fold = tasks.length > 3 && finished.length >= 2;
  if (fold)
    rows.push({
      kind: 'task',
      key: `t:${step.id}:folded`,
      state: 'done',
      title: `${finished.length} subtasks done`,
      depth: 0,
    });
  for (const task of fold ? tasks.filter((t) => !finished.includes(t)) : tasks) {
    rows.push({
      kind: 'task',
      key: `t:${step.id}:${task.id}`,
      state: task.state,
      title: task.title,
      depth: depth(task, byId),
    });
  }
  return rows;
}

export function buildStepRows(state: ScreenState): StepRow[] {
  const rows: StepRow[] = [];
  for (const phase of state.phases) {
    rows.push({
      kind: 'phase',
      key: `p:${phase.id}`,
      status: phase.status,
      title: phase.title,
      time: duration(phase, state.now),
      note: expanded(phase) ? undefined : phaseNote(phase),
    });
    if (!expanded(phase)) continue;
    for (const step of phase.steps) {
      const tasks = step.id === state.currentStepId ? (state.tasks[step.id] ?? []) : [];
      rows.push(...stepRows(step, state.now, tasks));
    }
  }
  return rows;
}

/** Keeps at most `max` rows around the running (or last failed) step, saying how many were left out. */
export function fitRows(rows: StepRow[], max: number): StepRow[] {
  if (rows.length <= max) return rows;
  const limit = Math.max(3, max);
  let focus = rows.findIndex((r) => r.kind === 'step' && r.status === 'running');
  if (focus < 0) focus = rows.findLastIndex((r) => r.kind === 'step' && r.status === 'failed');
  if (focus < 0) focus = 0;
  // A third of the room goes to what came before the focus, the rest to it and its subtasks.
  let start = Math.min(Math.max(0, focus - Math.floor((limit - 2) / 3)), rows.length - (limit - 1));
  let end: number;
  if (start <= 0) {
    start = 0;
    end = limit - 1;
  } else {
    end = Math.min(rows.length, start + limit - 1);
    if (end < rows.length) end--;
  }
  const out: StepRow[] = [];
  if (start > 0) out.push({ kind: 'more', key: 'more:before', count: start });
  out.push(...rows.slice(start, end));
  if (end < rows.length) out.push({ kind: 'more', key: 'more:after', count: rows.length - end });
  return out;
}
