import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runbook/events.js';
import { initialScreenState, runReducer } from '../../src/ui/run-state.js';
import { keys } from '../render.js';
import { restoreStarted, T0, started } from './fake-run.js';
import { tuiPerTest } from './tui-harness.js';

const setup = tuiPerTest();

const restoring = restoreStarted;

const progress = (at: number, label: string, done: number, total: number): RunEvent => ({
  type: 'progress',
  at,
  stepId: 'pg-restore',
  label,
  done,
  total,
  unit: 'bytes',
});

describe('progress bars', () => {
  it('a finished bar, and one left behind by the next stage, fold into one line instead of staying at 100 % or 10 %', () => {
    const state = [
      started,
      restoring,
      progress(T0, 'checksum', 0, 100),
      progress(T0 + 500, 'checksum', 100, 100),
      progress(T0 + 600, 'snapshot', 10, 100),
      progress(T0 + 1000, 'pg_restore', 1, 100),
      progress(T0 + 9000, 'pg_restore', 50, 100),
    ].reduce(runReducer, initialScreenState(T0));
    expect(state.progress.map((p) => p.label)).toEqual(['pg_restore']);
    expect(state.finishedBars.map((p) => [p.label, p.done])).toEqual([
      ['checksum', 100],
      ['snapshot', 10],
    ]);
  });

  it('draws the folded ones as one dim line under the live bar', async () => {
    const { run, terminal } = await setup();
    run.emit(
      restoring,
      progress(T0, 'checksum', 100 * 1024, 100 * 1024),
      progress(T0 + 5000, 'pg_restore', 1024, 4096),
    );
    const frame = await terminal.waitFor('pg_restore');
    expect(frame).not.toMatch(/checksum\s+█/);
    expect(frame).toContain('✔ checksum 100 KiB');
  });
});

describe('the log', () => {
  it('shows a tool prefix once, not doubled', () => {
    const state = runReducer(initialScreenState(T0), {
      type: 'log',
      at: T0,
      level: 'warn',
      message: 'pg_restore: pg_restore: warning: errors ignored on restore: 2',
    });
    expect(state.logs.map((l) => l.message)).toEqual(['pg_restore: warning: errors ignored on restore: 2']);
  });

  it('the full log wraps long lines, scrolls with the arrows and finds text with /', async () => {
    const { run, terminal } = await setup();
    const long = `the server said ${'x'.repeat(90)} and the end of it is HERE`;
    const lines: RunEvent[] = Array.from({ length: 60 }, (_v, i) => ({
      type: 'log',
      at: T0 + i,
      level: 'info',
      message: i === 10 ? 'needle in the haystack' : i === 59 ? long : `line ${i}`,
    }));
    run.emit(...lines);
    await terminal.press('l');
    const full = await terminal.waitFor('log (60 lines)');
    expect(full).toContain('the end of it is HERE');
    expect(full).not.toContain('line 20');
    await terminal.press(keys.up, keys.up, keys.up, keys.up);
    await terminal.waitFor((f) => f.includes('line 40') && !f.includes('the end of it is HERE'));
    await terminal.press('/');
    await terminal.waitFor('search:');
    await terminal.press('needle', keys.enter);
    const found = await terminal.waitFor('match 1 of 1');
    expect(found).toContain('needle in the haystack');
    expect(found).not.toContain('line 40');
    await terminal.press(keys.escape);
    await terminal.waitFor((f) => f.includes('the end of it is HERE') && !f.includes('match 1 of 1'));
    await terminal.press('l');
    await terminal.waitFor('○ Assess');
  });
});
