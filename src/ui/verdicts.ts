import { formatDuration } from '../core/duration.js';
import type { RunEnd } from '../runbook/run-state.js';

/** A run that did not pass has no RTO measurement to compare: it "was not met", it was not "missed" by a margin. */
export function rtoVerdict(result: Omit<RunEnd, 'reportPaths'>): string | undefined {
  if (result.rtoMs === undefined) return undefined;
  const target = `RTO ${formatDuration(result.rtoMs)}`;
  if (result.status !== 'passed')
    return `${target}: not met, the run ${result.status} after ${formatDuration(result.durationMs)}`;
  const recovered = result.recoveredMs ?? result.durationMs;
  const percent = (recovered / result.rtoMs) * 100;
  const used = percent < 10 ? percent.toFixed(1) : Math.round(percent);
  const verdict = result.rtoMet === false ? 'missed' : 'met';
  const after = result.durationMs - recovered;
  // A drill's cleanup (its scratch database dropped) comes after the recovery the RTO measures: said apart.
  return after >= 1000
    ? `${target}: ${verdict} (recovered in ${formatDuration(recovered)}, ${used}% of the budget; the run's cleanup after it: ${formatDuration(after)})`
    : `${target}: ${verdict} (took ${formatDuration(recovered)}, ${used}% of the budget)`;
}
