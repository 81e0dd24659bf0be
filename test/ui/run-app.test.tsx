import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runbook/events.js';
import { keys } from '../render.js';
import { T0 } from './fake-run.js';
import { mountTui } from './tui-harness.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

async function setup(size?: { columns?: number; rows?: number }) {
  const tui = await mountTui(size);
  stop = () => tui.rendering.stop();
  return tui;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('run screen keys', () => {
  it('? opens the help overlay and ? or esc closes it', async () => {
    const { terminal } = await setup();
    await terminal.press('?');
    await terminal.waitFor('show or hide this help');
    expect(terminal.lastFrame()).toContain('stop: keep going, suspend (resume later) or abort');
    expect(terminal.lastFrame()).not.toContain('○ Assess');
    await terminal.press(keys.escape);
    await terminal.waitFor('○ Assess');
    await terminal.press('?');
    await terminal.waitFor('Keys');
    await terminal.press('?');
    await terminal.waitFor((f) => f.includes('○ Assess') && !f.includes('Keys'));
  });

  it('l switches to the full log and back', async () => {
    const { run, terminal } = await setup();
    const logs: RunEvent[] = Array.from({ length: 40 }, (_v, i) => ({
      type: 'log',
      at: T0 + i,
      level: 'info',
      message: `pg_restore: processing item ${i}`,
    }));
    run.emit(...logs);
    await terminal.waitFor('processing item 39');
    const tailLines = terminal
      .lastFrame()
      .split('\n')
      .filter((l) => l.includes('processing item')).length;
    expect(tailLines).toBeLessThanOrEqual(8);
    await terminal.press('l');
    await terminal.waitFor('log (40 lines)');
    const fullLines = terminal
      .lastFrame()
      .split('\n')
      .filter((l) => l.includes('processing item')).length;
    expect(fullLines).toBeGreaterThan(tailLines);
    expect(terminal.lastFrame().split('\n').length).toBeLessThanOrEqual(24);
    await terminal.press('l');
    await terminal.waitFor('○ Assess');
  });

  it('follows a terminal resize', async () => {
    const { run, terminal } = await setup();
    run.emit({
      type: 'step.started',
      at: Date.now(),
      phaseId: 'restore',
      stepId: 'pg-restore',
      title: 'Restore the dump into the scratch database',
      attempt: 1,
    });
    await terminal.waitFor('▶ Restore the dump into the scratch database');
    terminal.fakeStdout.resize(40);
    await terminal.waitFor(
      (f) =>
        f.includes('▶ Restore the dump') &&
        !f.includes('scratch database') &&
        f.split('\n').every((l) => l.length <= 40),
    );
  });

  it('a new question closes the help overlay so it is seen', async () => {
    const { terminal, prompter, signal } = await setup();
    await terminal.press('?');
    await terminal.waitFor('Keys');
    void prompter.ask({ kind: 'confirm', id: 'go', message: 'Continue with the restore?' }, signal);
    await terminal.waitFor((f) => f.includes('Continue with the restore?') && !f.includes('show or hide this help'));
  });
});

describe('run screen output', () => {
  it('redraws at most ~10 times a second: 5,000 progress events in 2 s make at most 25 frames', async () => {
    const { run, terminal } = await setup();
    run.emit({
      type: 'step.started',
      at: Date.now(),
      phaseId: 'restore',
      stepId: 'pg-restore',
      title: 'Restore',
      attempt: 1,
    });
    await terminal.waitFor('▶ Restore');
    const before = terminal.rawFrames().length;
    const started = Date.now();
    for (let batch = 0; batch < 100; batch++) {
      for (let i = 0; i < 50; i++) {
        const n = batch * 50 + i;
        run.emit({
          type: 'progress',
          at: Date.now(),
          stepId: 'pg-restore',
          label: 'restore',
          done: n * 1024 * 1024,
          total: 5000 * 1024 * 1024,
          unit: 'bytes',
        });
      }
      await sleep(Math.max(0, started + (batch + 1) * 20 - Date.now()));
    }
    await sleep(150);
    const frames = terminal.rawFrames().length - before;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(frames).toBeGreaterThan(5);
    expect(frames).toBeLessThanOrEqual(25);
    expect(terminal.lastFrame()).toContain('4.9 GiB / 4.9 GiB 99%');
  });

  it('uses under 3 % of a core while waiting: only the 1 s clock redraws', async () => {
    const { run, terminal } = await setup();
    run.emit({
      type: 'step.started',
      at: Date.now(),
      phaseId: 'restore',
      stepId: 'pg-restore',
      title: 'Restore',
      attempt: 1,
    });
    await terminal.waitFor('▶ Restore');
    const frames = terminal.rawFrames().length;
    const cpu = process.cpuUsage();
    await sleep(3000);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000 / 3000).toBeLessThan(0.03);
    expect(terminal.rawFrames().length - frames).toBeLessThanOrEqual(4);
  });

  it('shows the summary, then unmounts and resolves done', async () => {
    const { run, terminal, rendering } = await setup();
    await terminal.press('?');
    await terminal.waitFor('Keys');
    run.emit({
      type: 'run.finished',
      at: T0 + 90_000,
      status: 'passed',
      durationMs: 90_000,
      rtoMs: 4 * 3600_000,
      rtoMet: true,
      reportPaths: ['pgdr-runs/r1/report.html'],
    });
    await rendering.done;
    // Under CI=true (as in CI) Ink ends with a bare newline after the last frame: read the last frame drawn.
    const last =
      terminal
        .rawFrames()
        .map((f) => stripVTControlCharacters(f))
        .filter((f) => f.trim())
        .at(-1) ?? '';
    expect(last).toContain('✔ run passed in 1m 30s');
    expect(last).toContain('RTO 4h 00m: met');
    expect(last).toContain('report pgdr-runs/r1/report.html');
    expect(last).toContain('○ Assess');
    expect(last).not.toContain('Keys');
  });

  it('with NO_COLOR draws no colour at all, and the symbols still tell states apart', async () => {
    const level = chalk.level;
    const noColor = process.env.NO_COLOR;
    chalk.level = 2;
    process.env.NO_COLOR = '1';
    try {
      const { run, terminal } = await setup();
      run.emit(
        { type: 'step.started', at: T0, phaseId: 'assess', stepId: 'ping', title: 'Ping', attempt: 1 },
        {
          type: 'step.finished',
          at: T0 + 5,
          phaseId: 'assess',
          stepId: 'ping',
          status: 'failed',
          durationMs: 5,
          error: 'refused',
        },
      );
      await terminal.waitFor('✖ Ping');
      expect(terminal.rawFrames().join('')).not.toMatch(/\u001B\[(3\d|4\d|9\d)m/);
      expect(terminal.lastFrame()).toContain('[DRILL]');
    } finally {
      chalk.level = level;
      if (noColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = noColor;
    }
  });
});

describe('Ink options', () => {
  it('leaves Ink its own streams when none are given, and never lets Ink exit on ctrl-c', async () => {
    const { inkOptions } = await import('../../src/ui/render-tui.js');
    const options = inkOptions({});
    expect(Object.keys(options)).not.toContain('stdout');
    expect(Object.keys(options)).not.toContain('stdin');
    expect(options).toMatchObject({ exitOnCtrlC: false, maxFps: 10, debug: false });
  });
});
