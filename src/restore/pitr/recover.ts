import type { OperationContext } from '../../core/context.js';
import { SupabaseManagementApi } from '../../supabase/management-api.js';
import { describeRestorePlan, pitrRestore, planPitrRestore, type PitrRestoreOptions } from './pgbackrest.js';
import type { PitrRestorePlan, PitrRestoreResult } from './pgbackrest.js';
import { planSupabasePitr, supabasePitrRestore, type SupabasePitrResult } from './supabase.js';
import { describeWindow, type RecoveryWindow } from './window.js';
import type { PitrRequest } from './request.js';

/** What a point-in-time recovery did, or (dry run) would do, step by step. */
export type PitrOutcome =
  | { provider: 'pgbackrest'; dryRun: true; plan: PitrRestorePlan; steps: string[] }
  | { provider: 'pgbackrest'; dryRun: false; result: PitrRestoreResult; recoveryPoint: Date }
  | { provider: 'supabase'; dryRun: true; window: RecoveryWindow; targetUnix: number; steps: string[] }
  | { provider: 'supabase'; dryRun: false; result: SupabasePitrResult; recoveryPoint: Date };

/**
 * Point-in-time recovery, whoever asked for it (`pgdr pitr restore`, `pgdr restore --pitr`, a runbook's
 * `restore.run`): one call, stopped by `ctx.signal` (which also stops a half-recovered pgBackRest cluster).
 * `api` stands in for the Management API (a drill's stand-in); by default it comes from SUPABASE_ACCESS_TOKEN.
 */
export function recoverToPointInTime(
  request: PitrRequest & { dryRun?: false },
  ctx: OperationContext,
  api?: SupabaseManagementApi,
): Promise<Extract<PitrOutcome, { dryRun: false }>>;
export function recoverToPointInTime(
  request: PitrRequest,
  ctx: OperationContext,
  api?: SupabaseManagementApi,
): Promise<PitrOutcome>;
export async function recoverToPointInTime(
  request: PitrRequest,
  ctx: OperationContext,
  api?: SupabaseManagementApi,
): Promise<PitrOutcome> {
  const { log, signal } = ctx;
  if (request.provider === 'supabase') {
    const ref = request.project;
    const platform = api ?? SupabaseManagementApi.fromEnv(process.env, { log, signal });
    if (request.dryRun) {
      const plan = await planSupabasePitr({ ref, target: request.to, log }, platform);
      const steps = [
        `target inside the window ${describeWindow(plan.window)}`,
        `would POST /v1/projects/${ref}/database/backups/restore-pitr {"recovery_time_target_unix": ${plan.targetUnix}}`,
        'then wait for ACTIVE_HEALTHY and a healthy db',
      ];
      return { provider: 'supabase', dryRun: true, ...plan, steps };
    }
    const result = await supabasePitrRestore({
      ref,
      target: request.to,
      api: platform,
      pollIntervalMs: request.pollIntervalMs,
      timeoutMs: request.timeoutMs,
      signal,
      log,
    });
    return {
      provider: 'supabase',
      dryRun: false,
      result,
      recoveryPoint: new Date(result.recoveryTimeTargetUnix * 1000),
    };
  }
  const options: PitrRestoreOptions = {
    stanza: request.stanza,
    configPath: request.configPath,
    target: request.to,
    dataDir: request.dataDir,
    port: request.port,
    timeoutSeconds: request.timeoutSeconds,
    signal,
    log,
  };
  if (request.dryRun) {
    const plan = await planPitrRestore(options);
    return { provider: 'pgbackrest', dryRun: true, plan, steps: describeRestorePlan(options, plan) };
  }
  const result = await pitrRestore(options);
  return { provider: 'pgbackrest', dryRun: false, result, recoveryPoint: result.recoveredTo };
}
