import { availableParallelism } from 'node:os';
import type { OperationContext } from '../core/context.js';
import type { PreparedRestore } from './plan.js';
import type { PhaseClock, PhaseDurations } from './restore-phases.js';
import { newRecord, readHistory, recordRestore } from './restore-history.js';
import { predictionLines, predictRestore, type RestorePrediction, type RestoreShape } from './restore-prediction.js';

const reason = (error: unknown) => (error as Error).message;

export function restoreShape(prepared: PreparedRestore): RestoreShape {
  const { plan, manifest } = prepared;
  return {
    bytes: manifest.bytes,
    plainBytes: manifest.databaseBytes || undefined,
    tables: plan.backup.tables,
    jobs: plan.jobs,
    cores: availableParallelism(),
    mode: plan.mode,
    source: plan.source,
  };
}

/**
 * Before a full restore: each phase's expected duration from the repository's history, printed and told to whoever
 * follows the restore. History that cannot be read only costs the prediction its basis (a first guess), never the
 * restore.
 */
export async function foreseeRestore(prepared: PreparedRestore, ctx: OperationContext): Promise<RestorePrediction> {
  // A dry run's plan prints it (planText); the restore itself says it before it starts.
  const history = await readHistory(prepared.repo, (line) => ctx.log.warn(line)).catch((error: unknown) => {
    ctx.log.warn(`Restore history of ${prepared.repo.url} unreadable (${reason(error)}): the prediction is a guess.`);
    return [];
  });
  const prediction = predictRestore(restoreShape(prepared), history);
  if (!prepared.request.dryRun) for (const line of predictionLines(prediction)) ctx.log.info(line);
  ctx.note?.({ kind: 'restore-predicted', ...prediction });
  return prediction;
}

/** After a full restore: its phases recorded in the repository's history and told to whoever follows the restore. */
export async function keepTiming(
  prepared: PreparedRestore,
  clock: PhaseClock,
  ctx: OperationContext,
): Promise<{ phases: PhaseDurations; totalMs: number }> {
  const phases = clock.durations();
  const totalMs = Object.values(phases).reduce((s, v) => s + v, 0);
  ctx.note?.({ kind: 'restore-timed', phases, totalMs });
  const shape = restoreShape(prepared);
  const record = newRecord({
    backupId: prepared.manifest.id,
    archive: {
      bytes: shape.bytes,
      ...(shape.plainBytes ? { plainBytes: shape.plainBytes } : {}),
      tables: shape.tables,
      encrypted: Boolean(prepared.manifest.encryption),
    },
    jobs: shape.jobs,
    mode: shape.mode,
    source: shape.source,
    phases,
    totalMs,
  });
  await recordRestore(prepared.repo, record).catch((error: unknown) =>
    ctx.log.warn(`This restore's timings were not recorded in ${prepared.repo.url}: ${reason(error)}`),
  );
  return { phases, totalMs };
}
