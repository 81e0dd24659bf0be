import { formatDuration } from '../core/duration.js';
import type { RunEnd } from '../runbook/run-state.js';

/** A run that did not pass has no RTO measurement to compare: it "was not met", it was not "missed" by a margin. */
export function rtoVerdict(result: Omit<RunEnd, 'reportPaths'>): string | undefined {
  if (result.rtoMs === undefined) return undefined;
  const target = `RTO ${formatDuration(result.rtoMs)}`;
  if (result.status !== 'passed')
    return `${target}: not met, the run ${result.status} after ${formatDuration(result.durationMs)}`;
  const percent = (result.durationMs / result.rtoMs) * 100;
  const used = percent < 10 ? percent.toFixed(1) : Math.round(percent);
  return `${target}: ${result.rtoMet === false ? 'missed' : 'met'} (took ${formatDuration(result.durationMs)}, ${used}% of the budget)`;
}
