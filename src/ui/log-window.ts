import { formatTimeOfDay, textRows } from './format.js';
import type { LogLine } from './run-state.js';

/** What the full-log view shows: the lines that fit, ending `back` lines before the newest. */
export interface LogWindow {
  lines: { line: LogLine; index: number }[];
  /** How many lines are hidden after the window (0: it shows the newest). */
  below: number;
}

export const logPrefix = (line: LogLine, compact: boolean) =>
  `${compact ? '' : `${formatTimeOfDay(line.at)} `}${{ debug: '·', info: ' ', warn: '!', error: '✖' }[line.level]} `;

/** The lines that fit in `rows` screen rows, each wrapped at `columns`, counting back from `end` (exclusive). */
export function logWindow(logs: LogLine[], end: number, rows: number, columns: number): LogWindow {
  const compact = columns < 60;
  const lines: LogWindow['lines'] = [];
  let used = 0;
  for (let i = Math.min(end, logs.length) - 1; i >= 0; i--) {
    const line = logs[i]!;
    const height = textRows(logPrefix(line, compact) + line.message, columns);
    if (used + height > rows && lines.length > 0) break;
    used += height;
    lines.unshift({ line, index: i });
  }
  return { lines, below: logs.length - Math.min(end, logs.length) };
}

/** The indexes of the lines holding `query` (case-insensitive). */
export function logMatches(logs: LogLine[], query: string): number[] {
  const wanted = query.toLowerCase();
  return wanted ? logs.flatMap((l, i) => (l.message.toLowerCase().includes(wanted) ? [i] : [])) : [];
}
