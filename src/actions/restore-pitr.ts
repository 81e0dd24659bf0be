import type { ActionContext, ActionOutputs } from './registry.js';
import { formatPgTime, parsePitrTarget } from '../restore/pitr/index.js';
import { recoverToPointInTime } from '../restore/pitr/recover.js';
import type { PitrRequest } from '../restore/pitr/request.js';
import { UsageError } from '../core/errors.js';

/** What restore.run's arguments say about a point-in-time recovery. */
export interface PitrStepArgs {
  provider: 'pgbackrest' | 'supabase';
  target: string;
  pitrTarget?: string;
  dataDir?: string;
  stanza: string;
  pgbackrestConfig?: string;
}

/**
 * restore.run with a WAL provider: pgBackRest into a new data directory, or Supabase's PITR through the Management
 * API; the same service as `pgdr pitr restore`, stopped by the run's abort signal.
 */
export async function restorePointInTime(ctx: ActionContext, a: PitrStepArgs): Promise<ActionOutputs> {
  const started = ctx.now();
  const request = pitrStepRequest(ctx, a);
  const outcome = await recoverToPointInTime(request, ctx, ctx.services.supabase?.api);
  const recoveryPoint = outcome.recoveryPoint.toISOString();
  const durationMs = ctx.now() - started;
  if (outcome.provider === 'supabase') {
    ctx.log.info(
      `Project ${outcome.result.ref} recovered to ${formatPgTime(outcome.recoveryPoint)} (${outcome.result.statuses.join(' → ')}).`,
    );
    const database = ctx.target(a.target).database;
    return { database, recoveryPoint, durationMs, statuses: outcome.result.statuses.join(' → '), safetySnapshotId: '' };
  }
  const r = outcome.result;
  ctx.log.info(
    `Recovered into ${r.dataDir} (port ${r.port}): last transaction ${r.recoveredTo.toISOString()}, from backup ${r.backup}.`,
  );
  const database = ctx.target(a.target).database;
  return { database, recoveryPoint, durationMs, dataDir: r.dataDir, safetySnapshotId: '' };
}

/** The recovery the step's arguments ask for; what is missing is refused before anything runs. */
function pitrStepRequest(ctx: ActionContext, a: PitrStepArgs): PitrRequest & { dryRun?: false } {
  if (!a.pitrTarget)
    throw new UsageError(
      `Step ${ctx.stepId}: a ${a.provider} restore needs with.pitrTarget.`,
      'Give the time to recover to, with its zone, e.g. "2025-01-10 14:00:00+00" (pgBackRest also takes latest).',
    );
  const to = parsePitrTarget(a.pitrTarget, a.provider, `Step ${ctx.stepId}: with.pitrTarget`);
  if (a.provider === 'supabase' && to !== 'latest') {
    const services = ctx.services.supabase ?? {};
    const project = services.ref ?? process.env.SUPABASE_PROJECT_REF;
    if (!project)
      throw new UsageError(
        `Step ${ctx.stepId}: which Supabase project? SUPABASE_PROJECT_REF is not set.`,
        'export SUPABASE_PROJECT_REF=<the 20-letter project ref> (and SUPABASE_ACCESS_TOKEN).',
      );
    return { into: 'pitr', provider: 'supabase', to, project, pollIntervalMs: services.pollIntervalMs };
  }
  if (!a.dataDir)
    throw new UsageError(
      `Step ${ctx.stepId}: a pgBackRest restore needs with.dataDir, a new empty directory for the restored cluster.`,
      'Pass it from an input, e.g. dataDir: "${{ inputs.data_dir }}".',
    );
  const server = ctx.target(a.target);
  if (!server.port)
    throw new UsageError(
      `Step ${ctx.stepId}: the '${a.target}' target has no port for the restored cluster.`,
      `Give --target ${a.target}=postgres://user@127.0.0.1:<free port>/<db>.`,
    );
  return {
    into: 'pitr',
    provider: 'pgbackrest',
    to,
    stanza: a.stanza,
    configPath: a.pgbackrestConfig,
    dataDir: a.dataDir,
    port: server.port,
  };
}
