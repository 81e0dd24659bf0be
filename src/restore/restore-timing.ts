import { availableParallelism } from 'node:os';
import type { OperationContext } from '../core/context.js';
import type { BackupManifest } from '../backup/manifest.js';
import type { Repository } from '../storage/index.js';
import { isSingleBackup } from '../storage/single-backup.js';
import { archiveSource, defaultJobs, type PreparedRestore } from './plan.js';
import type { PhaseClock, PhaseDurations } from './restore-phases.js';
import { newRecord, readHistory, recordRestore } from './restore-history.js';
import { predictionLines, predictRestore, type RestorePrediction, type RestoreShape } from './restore-prediction.js';
import { findBackup } from '../backup/catalog.js';
import { manifestTables } from '../backup/manifest-tables.js';

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
 * Before a full restore: each phase's expected duration from the repository's history, printed (unless `quiet`: a dry
 * run's plan prints it) and told to whoever follows the restore. History that cannot be read only costs the
 * prediction its basis (a first guess), never the restore.
 */
export async function foresee(
  repo: Repository,
  shape: RestoreShape,
  ctx: OperationContext,
  quiet = false,
): Promise<RestorePrediction> {
  const history = await readHistory(repo, (line) => ctx.log.warn(line)).catch((error: unknown) => {
    ctx.log.warn(`Restore history of ${repo.url} unreadable (${reason(error)}): the prediction is a guess.`);
    return [];
  });
  const prediction = predictRestore(shape, history);
  if (!quiet) for (const line of predictionLines(prediction)) ctx.log.info(line);
  ctx.note?.({ kind: 'restore-predicted', ...prediction });
  return prediction;
}

/**
 * Before a run begins: what restoring the newest full backup of `database` into a new database with the default
 * jobs is expected to take (as a drill's restore step will), or undefined when the repository has no such backup.
 */
export async function foreseeLatest(
  repo: Repository,
  database: string | undefined,
): Promise<{ backupId: string; prediction: RestorePrediction } | undefined> {
  const entry = await findBackup(repo, 'latest', { database, kind: 'full' }).catch(() => undefined);
  if (!entry) return undefined;
  const { manifest } = entry;
  const jobs = defaultJobs();
  const shape: RestoreShape = {
    bytes: manifest.bytes,
    plainBytes: manifest.databaseBytes || undefined,
    tables: manifestTables(manifest).length,
    jobs,
    cores: availableParallelism(),
    mode: 'new-db',
    source: archiveSource(manifest, jobs),
  };
  const history = await readHistory(repo, () => {}).catch(() => []);
  return { backupId: manifest.id, prediction: predictRestore(shape, history) };
}

export function foreseeRestore(prepared: PreparedRestore, ctx: OperationContext): Promise<RestorePrediction> {
  return foresee(prepared.repo, restoreShape(prepared), ctx, prepared.request.dryRun);
}

/** After a full restore: its phases recorded in the repository's history and told to whoever follows the restore. */
export async function keepTiming(
  repo: Repository,
  manifest: BackupManifest,
  shape: RestoreShape,
  clock: PhaseClock,
  ctx: OperationContext,
): Promise<{ phases: PhaseDurations; totalMs: number }> {
  const phases = clock.durations();
  const totalMs = Object.values(phases).reduce((s, v) => s + v, 0);
  ctx.note?.({ kind: 'restore-timed', phases, totalMs });
  const record = newRecord({
    backupId: manifest.id,
    archive: {
      bytes: shape.bytes,
      ...(shape.plainBytes ? { plainBytes: shape.plainBytes } : {}),
      tables: shape.tables,
      encrypted: Boolean(manifest.encryption),
    },
    jobs: shape.jobs,
    mode: shape.mode,
    source: shape.source,
    phases,
    totalMs,
  });
  // A lone backup directory holds that backup and nothing else: its restores go unrecorded.
  if (isSingleBackup(repo)) return { phases, totalMs };
  await recordRestore(repo, record).catch((error: unknown) =>
    ctx.log.warn(`This restore's timings were not recorded in ${repo.url}: ${reason(error)}`),
  );
  return { phases, totalMs };
}
