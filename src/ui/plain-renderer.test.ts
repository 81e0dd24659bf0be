import { describe, expect, it } from 'vitest';
import { FakeRun, T0, passedRun, started } from '../../test/ui/fake-run.js';
import { asStream, captureStream } from '../../test/ui/capture.js';
import type { RunEvent } from '../runbook/events.js';
import { renderRun } from './render-run.js';

const ESC = '\u001B[';

describe('plain renderer', () => {
  it('prints timestamped lines for a whole run, ending with the RTO summary and report paths', async () => {
    const run = new FakeRun();
    const out = captureStream();
    const rendering = renderRun(run, { mode: 'plain', stdout: asStream(out) });
    run.emit(...passedRun());
    await rendering.done;
    expect(out.lines()).toEqual([
      '12:03:04 [DRILL] Complete database loss (complete-loss) run 20250116T120304Z-complete-loss, RTO 4h 00m',
      '12:03:04   target postgres://app:***@db.internal:5432/app, operator alice@bastion',
      '12:03:04 » assess: Assess',
      '12:03:04 ▶ assess/ping started',
      '12:03:04   server 15.8 answers',
      '12:03:04 ✔ assess/ping succeeded in 200ms',
      '12:03:04 » assess succeeded in 200ms',
      '12:03:05 » restore: Restore',
      '12:03:05 ▶ restore/pg-restore started',
      '12:03:05   ✔ check checksum',
      '12:03:06   restore  0 B / 100 MiB (0%)',
      '12:03:08   restore  50.0 MiB / 100 MiB (50%)  25.0 MiB/s  ETA 00:02',
      '12:03:10 ? Restore over scratch_app? scratch_app',
      '12:04:10 ✔ restore/pg-restore succeeded in 1m 05s',
      '12:04:10 » restore succeeded in 1m 05s',
      '12:04:14 ✔ run passed in 1m 10s',
      '12:04:14   RTO 4h 00m: met (took 1m 10s, 0.5% of the budget)',
      '12:04:14   RPO 12m 00s',
      '12:04:14   next steps:',
      '12:04:14     Sign the drill record as its approver: pgdr report sign 20250116T120304Z-complete-loss --approver "<your name>"',
      '12:04:14     Check the record has not been changed since: pgdr report verify 20250116T120304Z-complete-loss',
      '12:04:14   report pgdr-runs/20250116T120304Z-complete-loss/report.md',
      '12:04:14   report pgdr-runs/20250116T120304Z-complete-loss/report.html',
    ]);
    expect(out.text()).not.toContain(ESC);
  });

  it('prints progress at most every 10 % when readings come fast', async () => {
    const run = new FakeRun();
    const out = captureStream();
    renderRun(run, { mode: 'plain', stdout: asStream(out) });
    const readings: RunEvent[] = Array.from({ length: 1000 }, (_v, i) => ({
      type: 'progress',
      at: T0 + i,
      label: 'dump',
      done: i + 1,
      total: 1000,
      unit: 'rows',
    }));
    run.emit(started, ...readings);
    const progressLines = out.lines().filter((l) => l.includes('dump'));
    expect(progressLines.length).toBeLessThanOrEqual(11);
    expect(progressLines.at(-1)).toContain('1,000 rows / 1,000 rows (100%)');
  });

  it('prints progress without a total every 5 s', async () => {
    const run = new FakeRun();
    const out = captureStream();
    renderRun(run, { mode: 'plain', stdout: asStream(out) });
    const readings: RunEvent[] = Array.from({ length: 60 }, (_v, i) => ({
      type: 'progress',
      at: T0 + i * 1000,
      label: 'upload',
      done: i * 1024 * 1024,
      unit: 'bytes',
    }));
    run.emit(started, ...readings);
    expect(out.lines().filter((l) => l.includes('upload'))).toHaveLength(12);
  });

  it('reports a failed step with its hint, and aborted runs with their undo actions', async () => {
    const run = new FakeRun();
    const out = captureStream();
    const rendering = renderRun(run, { mode: 'plain', stdout: asStream(out) });
    run.emit(
      started,
      {
        type: 'step.finished',
        at: T0,
        phaseId: 'assess',
        stepId: 'ping',
        status: 'failed',
        durationMs: 1500,
        error: 'connection refused',
        hint: 'Start the server.',
      },
      { type: 'undo.started', at: T0, stepId: 'ping', title: 'Unblock connections' },
      { type: 'undo.finished', at: T0, stepId: 'ping', status: 'succeeded' },
      { type: 'prompt.asked', at: T0, prompt: { kind: 'confirm', id: 'undo', message: 'Run the undo actions?' } },
      { type: 'prompt.answered', at: T0, promptId: 'undo', answer: false },
      { type: 'run.finished', at: T0, status: 'aborted', durationMs: 1500, error: 'aborted by the operator' },
    );
    await rendering.done;
    expect(out.lines().slice(2)).toEqual([
      '12:03:04 ✖ assess/ping failed in 1.5s: connection refused',
      '12:03:04   hint: Start the server.',
      '12:03:04 ↺ undo assess/ping: Unblock connections',
      '12:03:04 ↺ undo assess/ping succeeded',
      '12:03:04 ? Run the undo actions? no',
      '12:03:04 ■ run aborted in 1.5s: aborted by the operator',
      '12:03:04   next steps:',
      '12:03:04     Start the scenario again: pgdr drill complete-loss',
    ]);
  });

  it('colours a terminal unless NO_COLOR is set', () => {
    for (const [env, coloured] of [
      [{}, true],
      [{ NO_COLOR: '1' }, false],
    ] as const) {
      const run = new FakeRun();
      run.emit(...passedRun());
      const out = captureStream(true);
      renderRun(run, { mode: 'plain', stdout: asStream(out), env });
      expect(out.text().includes(ESC)).toBe(coloured);
      expect(out.text()).toContain('✔ assess/ping succeeded');
    }
  });

  it('skips debug lines unless verbose', () => {
    const debug: RunEvent = { type: 'log', at: T0, level: 'debug', message: 'pg_restore -l' };
    const quiet = captureStream();
    const loud = captureStream();
    const run = new FakeRun();
    run.emit(started, debug);
    renderRun(run, { mode: 'plain', stdout: asStream(quiet) });
    renderRun(run, { mode: 'plain', stdout: asStream(loud), verbose: true });
    expect(quiet.text()).not.toContain('pg_restore -l');
    expect(loud.text()).toContain('pg_restore -l');
  });
});

describe('JSON printer', () => {
  it('writes one JSON object per event and nothing else, history first', async () => {
    const run = new FakeRun();
    const events = passedRun();
    run.emit(...events.slice(0, 5));
    const out = captureStream();
    const rendering = renderRun(run, { mode: 'json', stdout: asStream(out) });
    run.emit(...events.slice(5));
    await rendering.done;
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
  });
});
