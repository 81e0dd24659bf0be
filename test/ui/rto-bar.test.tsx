import chalk from 'chalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RtoBar } from '../../src/ui/components/RtoBar.js';
import { applyNoColor, rtoColour } from '../../src/ui/theme.js';
import { renderInk } from '../render.js';
import { RunScreen } from '../../src/ui/components/RunScreen.js';
import { initialScreenState, runReducer } from '../../src/ui/run-state.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { started, T0 } from './fake-run.js';

const HOUR = 3600_000;
const SGR = { green: '\u001B[32m', yellow: '\u001B[33m', red: '\u001B[31m' };

function barFrame(elapsedMs: number, rtoMs = 4 * HOUR, columns = 80) {
  const view = renderInk(<RtoBar elapsedMs={elapsedMs} rtoMs={rtoMs} columns={columns} />, { columns });
  const raw = view.rawFrames().at(-1) ?? '';
  const text = view.lastFrame();
  view.unmount();
  return { raw, text };
}

describe('RTO bar', () => {
  let level: typeof chalk.level;
  beforeEach(() => {
    level = chalk.level;
    chalk.level = 1;
  });
  afterEach(() => {
    chalk.level = level;
  });

  it('turns yellow at 75 % of the budget and red once over', () => {
    expect(rtoColour(0)).toBe('green');
    expect(rtoColour(0.7499)).toBe('green');
    expect(rtoColour(0.75)).toBe('yellow');
    expect(rtoColour(1)).toBe('yellow');
    expect(rtoColour(1.0001)).toBe('red');
  });

  it('draws the colour and the remaining time', () => {
    const half = barFrame(2 * HOUR);
    expect(half.raw).toContain(`${SGR.green}███████████████░░░░░░░░░░░░░░░`);
    expect(half.text).toBe('RTO ███████████████░░░░░░░░░░░░░░░ 2:00:00 / 4:00:00 2:00:00 left');

    const late = barFrame(3.5 * HOUR);
    expect(late.raw).toContain(SGR.yellow);
    expect(late.raw).not.toContain(SGR.green);
    expect(late.text).toContain('30:00 left');

    const over = barFrame(4.5 * HOUR);
    expect(over.raw).toContain(SGR.red);
    expect(over.text).toContain('██████████████████████████████ 4:30:00 / 4:00:00 over by 30:00');
  });

  it('keeps the reading at 50 columns and says OVER instead of the remaining time', () => {
    const narrow = barFrame(4.5 * HOUR, 4 * HOUR, 50);
    expect(narrow.text.length).toBeLessThanOrEqual(50);
    expect(narrow.text).toContain('4:30:00 / 4:00:00 OVER');
  });

  it('without an RTO shows the elapsed time only', () => {
    const view = renderInk(<RtoBar elapsedMs={65_000} columns={80} />);
    expect(view.lastFrame()).toBe('elapsed 01:05 (no RTO set)');
    view.unmount();
  });

  it('honours NO_COLOR: no escape codes, the bar and the words still say it', () => {
    applyNoColor({ NO_COLOR: '1' });
    expect(chalk.level).toBe(0);
    const over = barFrame(4.5 * HOUR);
    expect(over.raw).not.toContain('\u001B[');
    expect(over.raw).toContain('over by 30:00');
  });

  it("shows a restore's predicted end on the bar and turns yellow once it crosses 75 % of the budget, before it is spent", () => {
    const restoring = (predictedTotalMs: number): RunEvent[] => [
      started,
      { type: 'phase.started', at: T0, phaseId: 'restore', title: 'Restore' },
      {
        type: 'step.started',
        at: T0 + 60_000,
        phaseId: 'restore',
        stepId: 'pg-restore',
        title: 'Restore the dump into the scratch database',
        attempt: 1,
      },
      {
        type: 'restore.timing',
        at: T0 + 60_000,
        stepId: 'pg-restore',
        kind: 'restore-predicted',
        runs: 3,
        phases: { stage: 0, load: predictedTotalMs, indexes: 0, analyze: 0 },
        totalMs: predictedTotalMs,
      },
    ];
    const frame = (events: RunEvent[]) => {
      // 24 minutes into a 4-hour RTO: 10 % of the budget spent.
      const state = { ...events.reduce(runReducer, initialScreenState(T0)), now: T0 + 24 * 60_000 };
      const view = renderInk(<RunScreen state={state} view="steps" onAnswer={() => {}} columns={100} rows={24} />, {
        columns: 100,
      });
      const out = { raw: view.rawFrames().at(-1) ?? '', text: view.lastFrame() ?? '' };
      view.unmount();
      return { ...out, line: out.text.split('\n').find((l) => l.startsWith('RTO'))! };
    };

    // Predicted to end at 1:01:00: a quarter of the budget, still green.
    const early = frame(restoring(HOUR));
    const bar = (done: number, forecast: number) =>
      '█'.repeat(done) + '▒'.repeat(forecast) + '░'.repeat(30 - done - forecast);
    expect(early.line).toBe(`RTO ${bar(3, 5)} 24:00 / 4:00:00 3:36:00 left · restore ends ~1:01:00`);
    expect(early.raw).toContain(`${SGR.green}${bar(3, 5)}`);
    expect(early.raw).not.toContain(SGR.yellow);

    // Predicted to end at 3:16:00 (82 %): yellow now, with 3:36:00 of the budget left.
    const late = frame(restoring(3.25 * HOUR));
    expect(late.line).toContain('24:00 / 4:00:00 3:36:00 left · restore ends ~3:16:00');
    expect(late.raw).toContain(`${SGR.yellow}${bar(3, 22)}`);
    expect(late.raw).not.toContain(SGR.green);

    // Once the restore has ended, the bar is the elapsed time again.
    const done = frame([
      ...restoring(3.25 * HOUR),
      {
        type: 'restore.timing',
        at: T0 + 20 * 60_000,
        stepId: 'pg-restore',
        kind: 'restore-timed',
        phases: { stage: 0, load: 19 * 60_000, indexes: 0, analyze: 0 },
        totalMs: 19 * 60_000,
      },
    ]);
    expect(done.line).toBe(`RTO ${bar(3, 0)} 24:00 / 4:00:00 3:36:00 left`);
  });
});
