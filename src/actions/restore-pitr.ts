import type { ActionContext, ActionOutputs } from './registry.js';
import { parsePitrTarget, pitrRestore, supabasePitrRestore, formatPgTime } from '../restore/pitr/index.js';
import { SupabaseManagementApi } from '../supabase/management-api.js';
import { UsageError } from '../core/errors.js';

/** restore.run with a WAL provider: pgBackRest into a new data directory, or Supabase's PITR through the Management API. */
/** What restore.run's arguments say about a point-in-time recovery. */
export interface PitrStepArgs {
  provider: string;
  target: string;
  pitrTarget?: string;
  dataDir?: string;
  stanza: string;
  pgbackrestConfig?: string;
}

export async function restorePointInTime(ctx: ActionContext, a: PitrStepArgs): Promise<ActionOutputs> {
  if (!a.pitrTarget)
    throw new UsageError(
      `Step ${ctx.stepId}: a ${a.provider} restore needs with.pitrTarget.`,
      'Give the time to recover to, with its zone, e.g. "2025-01-10 14:00:00+00" (pgBackRest also takes latest).',
    );
  const target = parsePitrTarget(
    a.pitrTarget,
    a.provider === 'supabase' ? 'supabase' : 'pgbackrest',
    `Step ${ctx.stepId}: with.pitrTarget`,
  );
  const log = ctx.log;
  if (a.provider === 'supabase' && target !== 'latest') {
    const services = ctx.services.supabase ?? {};
    const ref = services.ref ?? process.env.SUPABASE_PROJECT_REF;
    if (!ref)
      throw new UsageError(
        `Step ${ctx.stepId}: which Supabase project? SUPABASE_PROJECT_REF is not set.`,
        'export SUPABASE_PROJECT_REF=<the 20-letter project ref> (and SUPABASE_ACCESS_TOKEN).',
      );
    const api = services.api ?? SupabaseManagementApi.fromEnv(process.env, { signal: ctx.signal, log });
    const started = ctx.now();
    const result = await supabasePitrRestore({
      ref,
      target,
      api,
      pollIntervalMs: services.pollIntervalMs,
      signal: ctx.signal,
      log,
    });
    const recoveryPoint = new Date(result.recoveryTimeTargetUnix * 1000).toISOString();
    ctx.log.info(
      `Project ${ref} recovered to ${formatPgTime(new Date(recoveryPoint))} (${result.statuses.join(' → ')}).`,
    );
    return {
      database: ctx.target(a.target).database,
      recoveryPoint,
      durationMs: ctx.now() - started,
      statuses: result.statuses.join(' → '),
      safetySnapshotId: '',
    };
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
  const started = ctx.now();
  const result = await pitrRestore({
    stanza: a.stanza,
    configPath: a.pgbackrestConfig,
    target,
    dataDir: a.dataDir,
    port: server.port,
    signal: ctx.signal,
    log,
  });
  ctx.log.info(
    `Recovered into ${result.dataDir} (port ${result.port}): last transaction ${result.recoveredTo.toISOString()}, from backup ${result.backup}.`,
  );
  return {
    database: server.database,
    recoveryPoint: result.recoveredTo.toISOString(),
    durationMs: ctx.now() - started,
    dataDir: result.dataDir,
    safetySnapshotId: '',
  };
}
