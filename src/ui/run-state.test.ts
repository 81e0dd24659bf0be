import { describe, expect, it } from 'vitest';
import { FakeRun, T0, header, passedRun, started } from '../../test/ui/fake-run.js';
import { elapsedMs, initialScreenState, LOG_LIMIT, runReducer } from './run-state.js';
import { findStep } from '../runbook/run-state.js';
import type { RunEvent } from '../runbook/events.js';

const reduce = (events: RunEvent[]) => events.reduce(runReducer, initialScreenState(T0));

describe('runReducer', () => {
  it('lays out every phase and step as pending when the run starts', () => {
    const state = reduce([started]);
    expect(state.header?.runbook.title).toBe('Complete database loss');
    expect(state.phases.map((p) => p.id)).toEqual(['assess', 'restore', 'validate']);
    expect(state.phases.flatMap((p) => p.steps.map((s) => s.status))).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(findStep(state, 'ack')?.manual).toBe(true);
  });

  it('tracks a step from running to failed with its error, hint and attempt', () => {
    const state = reduce([
      started,
      { type: 'phase.started', at: T0, phaseId: 'assess', title: 'Assess' },
      { type: 'step.started', at: T0, phaseId: 'assess', stepId: 'ping', title: 'Ping', attempt: 2 },
    ]);
    expect(findStep(state, 'ping')).toMatchObject({ status: 'running', attempt: 2, startedAt: T0 });
    expect(state.currentStepId).toBe('ping');
    const failed = runReducer(state, {
      type: 'step.finished',
      at: T0 + 5,
      phaseId: 'assess',
      stepId: 'ping',
      status: 'failed',
      durationMs: 5,
      error: 'refused',
      hint: 'is it up?',
    });
    expect(findStep(failed, 'ping')).toMatchObject({
      status: 'failed',
      durationMs: 5,
      error: 'refused',
      hint: 'is it up?',
    });
    expect(failed.currentStepId).toBeUndefined();
  });

  it('adds steps and phases the header did not announce', () => {
    const state = reduce([
      started,
      { type: 'step.started', at: T0, phaseId: 'extra', stepId: 'surprise', title: 'Surprise', attempt: 1 },
    ]);
    expect(findStep(state, 'surprise')?.status).toBe('running');
  });

  it('keeps subtasks per step and updates them in place', () => {
    const state = reduce([
      started,
      { type: 'step.started', at: T0, phaseId: 'restore', stepId: 'pg-restore', title: 'Restore', attempt: 1 },
      { type: 'task.updated', at: T0, stepId: 'pg-restore', taskId: 'fetch', title: 'fetch', state: 'running' },
      { type: 'task.updated', at: T0, stepId: 'pg-restore', taskId: 'fetch', title: 'fetch', state: 'done' },
      { type: 'task.updated', at: T0, stepId: 'pg-restore', taskId: 'restore', title: 'pg_restore', state: 'running' },
    ]);
    expect(state.tasks['pg-restore']).toEqual([
      { id: 'fetch', title: 'fetch', state: 'done', parentId: undefined },
      { id: 'restore', title: 'pg_restore', state: 'running', parentId: undefined },
    ]);
  });

  it('measures progress from the first reading and drops it when the step ends', () => {
    const events = passedRun();
    const midway = reduce(events.slice(0, 12));
    expect(midway.progress).toHaveLength(1);
    expect(midway.progress[0]).toMatchObject({
      label: 'restore',
      firstAt: T0 + 2000,
      firstDone: 0,
      done: 50 * 1024 * 1024,
    });
    const after = reduce(events.slice(0, 15));
    expect(after.progress).toEqual([]);
  });

  it('caps the log at LOG_LIMIT lines, keeping the newest', () => {
    const logs: RunEvent[] = Array.from({ length: LOG_LIMIT + 5 }, (_v, i) => ({
      type: 'log',
      at: T0 + i,
      level: 'info',
      message: `line ${i}`,
    }));
    const state = reduce([started, ...logs]);
    expect(state.logs).toHaveLength(LOG_LIMIT);
    expect(state.logs.at(-1)?.message).toBe(`line ${LOG_LIMIT + 4}`);
    expect(state.logs[0]?.message).toBe('line 5');
  });

  it('splits multi-line tool output into clean log lines', () => {
    const state = reduce([
      started,
      { type: 'log', at: T0, level: 'warn', message: 'pg_restore: error:\n\tdetail \u001B[31mred\u001B[39m\n' },
    ]);
    expect(state.logs.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'pg_restore: error:'],
      ['warn', '  detail red'],
    ]);
  });

  it('records undo actions and the final result', () => {
    const state = reduce([
      started,
      { type: 'undo.started', at: T0, stepId: 'block', title: 'Unblock connections' },
      { type: 'undo.finished', at: T0 + 1, stepId: 'block', status: 'succeeded' },
      { type: 'run.finished', at: T0 + 10, status: 'aborted', durationMs: 10 },
    ]);
    expect(state.undo).toEqual([
      { stepId: 'block', title: 'Unblock connections', status: 'succeeded', error: undefined },
    ]);
    expect(state.finished).toMatchObject({ status: 'aborted', reportPaths: [] });
    expect(elapsedMs({ ...state, now: T0 + 999_999 })).toBe(10);
  });

  it('shows and clears the pending prompt', () => {
    const asked = reduce([
      started,
      { type: 'prompt.asked', at: T0, prompt: { kind: 'confirm', id: 'go', message: 'Go?' } },
    ]);
    expect(asked.pendingPrompt?.id).toBe('go');
    expect(
      runReducer(asked, { type: 'prompt.answered', at: T0, promptId: 'go', answer: true }).pendingPrompt,
    ).toBeUndefined();
  });

  it('keeps finished steps when a resumed run starts again', () => {
    const before = reduce(passedRun().slice(0, 6));
    const resumed = runReducer(before, { ...started, at: T0 + 50_000, resumed: true });
    expect(resumed.resumed).toBe(true);
    expect(findStep(resumed, 'ping')?.status).toBe('succeeded');
    expect(resumed.startedAt).toBe(T0);
  });

  it('is usable with a FakeRun history', () => {
    const run = new FakeRun();
    run.emit(...passedRun());
    expect(run.history().reduce(runReducer, initialScreenState()).finished?.status).toBe('passed');
    expect(header.phases).toHaveLength(3);
  });
});
