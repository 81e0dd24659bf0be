import { formatDuration } from '../core/duration.js';
import type { RunState } from '../runbook/run-state.js';
import { PHASE_TITLES, RESTORE_PHASES } from '../restore/restore-phases.js';
import { predictionBasis } from '../restore/restore-prediction.js';

export interface PredictedTime {
  predictedMs: number;
  predicted: string;
  actualMs?: number;
  /** "not measured" when the step did not finish its restore. */
  actual: string;
  /** (predicted − actual) / actual, as "+12 %". */
  error?: string;
}

/** A restore step's prediction set against what its phases took, and what the prediction rested on. */
export interface ReportPrediction {
  stepId: string;
  runs: number;
  basis: string;
  phases: (PredictedTime & { phase: string; title: string })[];
  total: PredictedTime;
}

function compare(predictedMs: number, actualMs: number | undefined): PredictedTime {
  const error =
    actualMs === undefined || actualMs <= 0 ? undefined : Math.round(((predictedMs - actualMs) / actualMs) * 100);
  return {
    predictedMs,
    predicted: formatDuration(predictedMs),
    actualMs,
    actual: actualMs === undefined ? 'not measured' : formatDuration(actualMs),
    error: error === undefined ? undefined : `${error >= 0 ? '+' : ''}${error} %`,
  };
}

/** Each restore step that printed a prediction (none: the report says nothing about predictions). */
export function predictionsOf(state: RunState): ReportPrediction[] {
  return state.restoreTimings.flatMap(({ stepId, predicted, actual }) => {
    if (!predicted) return [];
    return [
      {
        stepId,
        runs: predicted.runs,
        basis: predictionBasis(predicted),
        phases: RESTORE_PHASES.filter((p) => typeof predicted.phases[p] === 'number').map((phase) => ({
          phase,
          title: PHASE_TITLES[phase],
          ...compare(predicted.phases[phase]!, actual?.phases[phase]),
        })),
        total: compare(predicted.totalMs, actual?.totalMs),
      },
    ];
  });
}
