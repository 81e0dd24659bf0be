import chalk from 'chalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RtoBar } from '../../src/ui/components/RtoBar.js';
import { applyNoColor, rtoColour } from '../../src/ui/theme.js';
import { renderInk } from '../render.js';

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
});
