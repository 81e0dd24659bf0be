import { describe, expect, it } from 'vitest';
import { RunScreen } from '../../src/ui/components/RunScreen.js';
import { initialScreenState, runReducer, type ScreenState } from '../../src/ui/run-state.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { renderInk } from '../render.js';
import { T0, started } from './fake-run.js';

function stateOf(events: RunEvent[], now = T0 + 90_000): ScreenState {
  return { ...events.reduce(runReducer, initialScreenState(T0)), now };
}

function screen(state: ScreenState, size: { columns: number; rows: number } = { columns: 80, rows: 24 }) {
  return renderInk(<RunScreen state={state} view="steps" onAnswer={() => {}} {...size} />, size);
}

const midRun: RunEvent[] = [
  started,
  { type: 'phase.started', at: T0, phaseId: 'assess', title: 'Assess' },
  { type: 'step.started', at: T0, phaseId: 'assess', stepId: 'ping', title: 'Check the database answers', attempt: 1 },
  { type: 'step.finished', at: T0 + 1200, phaseId: 'assess', stepId: 'ping', status: 'succeeded', durationMs: 1200 },
  { type: 'phase.finished', at: T0 + 1200, phaseId: 'assess', status: 'succeeded', durationMs: 1200 },
  { type: 'phase.started', at: T0 + 2000, phaseId: 'restore', title: 'Restore' },
  {
    type: 'step.started',
    at: T0 + 2000,
    phaseId: 'restore',
    stepId: 'pick',
    title: 'Pick the latest verified backup',
    attempt: 1,
  },
  { type: 'step.finished', at: T0 + 2500, phaseId: 'restore', stepId: 'pick', status: 'skipped', durationMs: 0 },
  {
    type: 'step.started',
    at: T0 + 30_000,
    phaseId: 'restore',
    stepId: 'pg-restore',
    title: 'Restore the dump into the scratch database',
    attempt: 2,
  },
  {
    type: 'task.updated',
    at: T0 + 31_000,
    stepId: 'pg-restore',
    taskId: 'sum',
    title: 'check checksum',
    state: 'done',
  },
  { type: 'task.updated', at: T0 + 32_000, stepId: 'pg-restore', taskId: 'pgr', title: 'pg_restore', state: 'running' },
  {
    type: 'task.updated',
    at: T0 + 32_000,
    stepId: 'pg-restore',
    taskId: 'toc',
    title: 'tables',
    state: 'running',
    parentId: 'pgr',
  },
  {
    type: 'task.updated',
    at: T0 + 32_000,
    stepId: 'pg-restore',
    taskId: 'analyze',
    title: 'analyze',
    state: 'pending',
  },
  {
    type: 'progress',
    at: T0 + 40_000,
    stepId: 'pg-restore',
    label: 'restore',
    done: 0,
    total: 400 * 1024 * 1024,
    unit: 'bytes',
  },
  {
    type: 'progress',
    at: T0 + 50_000,
    stepId: 'pg-restore',
    label: 'restore',
    done: 100 * 1024 * 1024,
    total: 400 * 1024 * 1024,
    unit: 'bytes',
  },
  { type: 'log', at: T0 + 50_000, level: 'warn', message: 'pg_restore: warning: errors ignored on restore: 0' },
];

describe('step list', () => {
  it('shows each state with its own symbol, durations, subtasks and progress', () => {
    const view = screen(stateOf(midRun));
    const frame = view.lastFrame();
    expect(frame).toMatch(/✔ Assess +1\.2s/);
    expect(frame).toMatch(/▶ Restore +1m 28s/);
    expect(frame).toMatch(/↷ Pick the latest verified backup +0ms/);
    expect(frame).toMatch(/▶ Restore the dump into the scratch database \(attempt 2\) +1m 00s/);
    expect(frame).toMatch(/ {6}✔ check checksum\n {6}▶ pg_restore\n {8}▶ tables\n {6}○ analyze/);
    expect(frame).toMatch(/○ Validate/);
    expect(frame).not.toContain('Row counts match the manifest');
    expect(frame).toMatch(/restore +█{5}░{15} 100 MiB \/ 400 MiB 25% {2}10\.0 MiB\/s {2}ETA 00:30/);
    expect(frame).toContain('! pg_restore: warning: errors ignored on restore: 0');
    expect(frame).toContain('[DRILL] Complete database loss');
    expect(frame).toContain('target postgres://app:***@db.internal:5432/app');
    view.unmount();
  });

  it('expands a failed phase with the error and hint, and marks aborted steps', () => {
    const view = screen(
      stateOf([
        ...midRun,
        {
          type: 'step.finished',
          at: T0 + 60_000,
          phaseId: 'restore',
          stepId: 'pg-restore',
          status: 'failed',
          durationMs: 30_000,
          error: 'pg_restore exited 1',
          hint: 'Check the dump with pgdr backups verify.',
        },
        { type: 'phase.finished', at: T0 + 60_000, phaseId: 'restore', status: 'failed', durationMs: 58_000 },
        { type: 'phase.started', at: T0 + 60_000, phaseId: 'validate', title: 'Validate' },
        {
          type: 'step.finished',
          at: T0 + 61_000,
          phaseId: 'validate',
          stepId: 'rows',
          status: 'aborted',
          durationMs: 1000,
        },
      ]),
    );
    const frame = view.lastFrame();
    expect(frame).toMatch(/✖ Restore +58\.0s/);
    expect(frame).toMatch(/✖ Restore the dump into the scratch database \(attempt 2\) +30\.0s/);
    expect(frame).toContain('pg_restore exited 1');
    expect(frame).toContain('hint: Check the dump with pgdr backups verify.');
    expect(frame).toMatch(/■ Row counts match the manifest +1\.0s/);
    expect(frame).toMatch(/○ Tell the team \(manual\)/);
    expect(frame).not.toContain('check checksum');
    view.unmount();
  });

  it('fits 50 columns: names truncated, rate and ETA hidden, nothing wider than the terminal', () => {
    const view = screen(stateOf(midRun), { columns: 50, rows: 24 });
    const frame = view.lastFrame();
    const lines = frame.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(frame).toMatch(/▶ Restore the dump into the scratch…? ?.*1m 00s/);
    expect(lines.find((l) => l.includes('Restore the dump'))).toContain('…');
    expect(frame).toContain('100 MiB / 400 MiB 25%');
    expect(frame).not.toContain('ETA');
    expect(frame).not.toContain('20250116T120304Z-complete-loss');
    view.unmount();
  });

  it('still renders at 30 columns and in a 10-row terminal', () => {
    const view = screen(stateOf(midRun), { columns: 30, rows: 10 });
    expect(view.lastFrame()).toContain('[DRILL]');
    view.unmount();
  });

  it('fits a long runbook with subtasks, progress and an open checklist into 80×24', () => {
    const phases = Array.from({ length: 6 }, (_v, p) => ({
      id: `phase${p}`,
      title: `Phase ${p}`,
      steps: Array.from({ length: 7 }, (_w, s) => ({ id: `p${p}s${s}`, title: `Step ${s} of phase ${p}` })),
    }));
    const events: RunEvent[] = [
      { ...started, phases },
      { type: 'phase.started', at: T0, phaseId: 'phase3', title: 'Phase 3' },
    ];
    for (let s = 0; s < 5; s++) {
      events.push({
        type: 'step.started',
        at: T0,
        phaseId: 'phase3',
        stepId: `p3s${s}`,
        title: `Step ${s} of phase 3`,
        attempt: 1,
      });
      if (s < 4)
        events.push({
          type: 'step.finished',
          at: T0 + 1000,
          phaseId: 'phase3',
          stepId: `p3s${s}`,
          status: 'succeeded',
          durationMs: 1000,
        });
    }
    for (let t = 0; t < 5; t++)
      events.push({
        type: 'task.updated',
        at: T0,
        stepId: 'p3s4',
        taskId: `t${t}`,
        title: `subtask ${t}`,
        state: t < 4 ? 'done' : 'running',
      });
    events.push({ type: 'progress', at: T0, stepId: 'p3s4', label: 'fetch', done: 1, total: 10, unit: 'items' });
    events.push({ type: 'progress', at: T0, stepId: 'p3s4', label: 'restore', done: 1, total: 10, unit: 'rows' });
    for (let l = 0; l < 20; l++) events.push({ type: 'log', at: T0, level: 'info', message: `line ${l}` });
    const prompt = {
      kind: 'checklist' as const,
      id: 'dns',
      message: 'Switch DNS',
      items: ['one', 'two', 'three', 'four', 'five'],
    };
    const size = { columns: 80, rows: 24 };
    const view = renderInk(
      <RunScreen
        state={stateOf(events)}
        view="steps"
        prompt={prompt}
        onAnswer={() => {}}

        {...size}
      />,
      size,
    );
    const frame = view.lastFrame();
    expect(frame.split('\n').length).toBeLessThanOrEqual(24);
    expect(frame).toContain('▶ Step 4 of phase 3');
    expect(frame).toContain('Switch DNS');
    expect(frame).toContain('five');
    expect(frame).toContain('✔ 4 subtasks done');
    expect(frame).toContain('▶ subtask 4');
    expect(frame).toMatch(/⋯ \d+ more/);
    expect(frame).toContain('[DRILL]');
    expect(frame).toContain('ctrl-c stop');
    view.unmount();

    const idle = renderInk(<RunScreen state={stateOf(events)} view="steps" onAnswer={() => {}} {...size} />, size);
    const idleFrame = idle.lastFrame();
    expect(idleFrame.split('\n').length).toBeLessThanOrEqual(24);
    expect(idleFrame).toContain('line 19');
    expect(idleFrame).toContain('▶ subtask 4');
    idle.unmount();
  });

  it('shows the final summary with RTO, RPO, undo and report paths', () => {
    const view = screen(
      stateOf([
        ...midRun,
        { type: 'undo.started', at: T0, stepId: 'maint', title: 'Maintenance mode off' },
        { type: 'undo.finished', at: T0, stepId: 'maint', status: 'succeeded' },
        {
          type: 'run.finished',
          at: T0 + 100_000,
          status: 'failed',
          durationMs: 100_000,
          rtoMs: 60_000,
          rtoMet: false,
          rpoMs: 300_000,
          reportPaths: ['pgdr-runs/r1/report.md'],
        },
      ]),
    );
    const frame = view.lastFrame();
    expect(frame).toContain('✖ run failed in 1m 40s');
    expect(frame).toContain('RTO 1m 00s: not met, the run failed after 1m 40s');
    expect(frame).not.toContain('missed');
    expect(frame).toContain('RPO 5m 00s');
    expect(frame).toContain('✔ undo Maintenance mode off');
    expect(frame).toContain('report pgdr-runs/r1/report.md');
    expect(frame).toContain('run finished');
    view.unmount();
  });

  it('after an abort mid-restore in place: no "RTO missed", the database left part-way, and the command that puts it back', () => {
    const view = screen(
      stateOf([
        ...midRun,
        {
          type: 'step.destructive',
          at: T0 + 60_000,
          stepId: 'pg-restore',
          target: 'restored',
          server: 'postgres://app:***@db.internal:5432/app',
          database: 'app',
          what: 'restored in place',
        },
        {
          type: 'safety.snapshot',
          at: T0 + 61_000,
          stepId: 'pg-restore',
          id: '20250116T120500Z-full-app',
          database: 'app',
          server: 'postgres://app:***@db.internal:5432/app',
          repository: '/srv/backups',
        },
        { type: 'step.cancelling', at: T0 + 70_000, stepId: 'pg-restore', reason: 'abort' },
        {
          type: 'step.finished',
          at: T0 + 72_000,
          phaseId: 'restore',
          stepId: 'pg-restore',
          status: 'aborted',
          durationMs: 42_000,
          error: 'Aborted by the operator.',
          cancelled: 'abort',
        },
        {
          type: 'run.finished',
          at: T0 + 80_000,
          status: 'aborted',
          durationMs: 80_000,
          rtoMs: 4 * 3600_000,
          rtoMet: false,
        },
      ]),
      { columns: 80, rows: 40 },
    );
    const frame = view.lastFrame().replace(/\n/g, ' ');
    expect(frame).toContain('■ run aborted in 1m 20s');
    expect(frame).toContain('RTO 4h 00m: not met, the run aborted after 1m 20s');
    expect(frame).not.toMatch(/RTO.*missed/);
    expect(frame).toContain(
      '! app: only partly restored in place: step "Restore the dump into the scratch database" was stopped part-way',
    );
    expect(frame).toContain('safety snapshot 20250116T120500Z-full-app of app in /srv/backups');
    expect(frame).toContain('Next steps');
    expect(frame).toContain('Put app back as it was before the run:');
    expect(frame).toContain(
      'pgdr restore 20250116T120500Z-full-app --repo /srv/backups --db postgres://app@db.internal:5432/app --clean --confirm app --no-safety-snapshot',
    );
    view.unmount();
  });

  it('the header names where restores go when that is not the primary (a drill restores into scratch)', () => {
    const view = screen(
      stateOf([{ ...started, restoresInto: 'postgres://app:***@scratch.internal:5432/app_restored' }]),
      { columns: 120, rows: 24 },
    );
    expect(view.lastFrame()).toContain(
      'from postgres://app:***@db.internal:5432/app restores into postgres://app:***@scratch.internal:5432/app_restored',
    );
    view.unmount();
  });
});
