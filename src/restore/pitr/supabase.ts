import { Aborted, PgdrError } from '../../core/errors.js';
import { sleep } from '../../core/sleep.js';
import { silentLogger, type Logger } from '../../core/context.js';
import { SupabaseManagementApi } from '../../supabase/management-api.js';
import type { BackupsResponse, HealthResponse } from '../../supabase/types.js';
import { assertInWindow, type RecoveryWindow } from './window.js';
import { formatPgTime } from './recovery-time.js';

export interface PlatformBackupRow {
  kind: 'physical' | 'logical';
  insertedAt: Date;
  status: string;
}

export interface PlatformBackups {
  ref: string;
  region: string;
  pitrEnabled: boolean;
  backups: PlatformBackupRow[];
  /** The PITR window; undefined when PITR is off or the platform reports none. */
  window: RecoveryWindow | undefined;
}

export class SupabaseRestoreFailed extends PgdrError {}

/** For `pgdr backups list --supabase-project REF`: the platform's daily backups and the PITR window, newest first. */
export async function listPlatformBackups(
  ref: string,
  options: { api?: SupabaseManagementApi; signal?: AbortSignal; log?: Logger } = {},
): Promise<PlatformBackups> {
  const api = options.api ?? SupabaseManagementApi.fromEnv(process.env, { signal: options.signal, log: options.log });
  return platformBackups(ref, await api.getBackups(ref));
}

export function platformBackups(ref: string, response: BackupsResponse): PlatformBackups {
  return {
    ref,
    region: response.region,
    pitrEnabled: response.pitr_enabled,
    backups: (response.backups ?? [])
      .map((b) => ({
        kind: b.is_physical_backup ? ('physical' as const) : ('logical' as const),
        insertedAt: new Date(b.inserted_at),
        status: b.status,
      }))
      .sort((a, b) => b.insertedAt.getTime() - a.insertedAt.getTime()),
    window: supabaseWindow(response),
  };
}

export function supabaseWindow(response: BackupsResponse): RecoveryWindow | undefined {
  const data = response.physical_backup_data;
  const earliest = data?.earliest_physical_backup_date_unix;
  const latest = data?.latest_physical_backup_date_unix;
  if (!response.pitr_enabled || !earliest || !latest) return undefined;
  return {
    earliest: new Date(earliest * 1000),
    latest: new Date(latest * 1000),
    latestSource: 'physical_backup_data.latest_physical_backup_date_unix',
  };
}

export interface SupabasePitrOptions {
  ref: string;
  target: Date;
  api?: SupabaseManagementApi;
  /** Between status polls; default 10 s. */
  pollIntervalMs?: number;
  /** For the whole restore, health included; default 2 h (the platform restores large databases slowly). */
  timeoutMs?: number;
  /** How long ACTIVE_HEALTHY without ever seeing RESTORING still counts as "not started yet"; default 2 min. */
  startGraceMs?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface SupabasePitrResult {
  ref: string;
  recoveryTimeTargetUnix: number;
  window: RecoveryWindow;
  statuses: string[];
  health: HealthResponse;
  durationMs: number;
}

/** Checks the window, asks for the restore, then waits for ACTIVE_HEALTHY and a healthy database. */
export async function supabasePitrRestore(options: SupabasePitrOptions): Promise<SupabasePitrResult> {
  const log = options.log ?? silentLogger;
  const api = options.api ?? SupabaseManagementApi.fromEnv(process.env, { signal: options.signal, log });
  const { window, targetUnix } = await planSupabasePitr(options, api);
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 2 * 3600_000);
  log.info(
    `Asking Supabase to restore project ${options.ref} to ${formatPgTime(new Date(targetUnix * 1000))} (unix ${targetUnix})`,
  );
  await api.restorePitr(options.ref, targetUnix);
  let statuses: string[];
  let health: HealthResponse;
  try {
    statuses = await waitForProject(api, options, started, deadline, log);
    health = await waitForHealthyDb(api, options, deadline, log);
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    throw new Aborted(
      `Stopped waiting for project ${options.ref}; the restore it asked the platform for goes on: watch https://supabase.com/dashboard/project/${options.ref} and do not start another restore meanwhile.`,
    );
  }
  log.info(
    `Project ${options.ref} restored and its database is healthy (${Math.round((Date.now() - started) / 1000)} s).`,
  );
  return {
    ref: options.ref,
    recoveryTimeTargetUnix: targetUnix,
    window,
    statuses,
    health,
    durationMs: Date.now() - started,
  };
}

/** Everything before the POST: PITR enabled and the target inside the window. What --dry-run shows. */
export async function planSupabasePitr(
  options: Pick<SupabasePitrOptions, 'ref' | 'target' | 'log'>,
  api: SupabaseManagementApi,
): Promise<{ window: RecoveryWindow; targetUnix: number }> {
  const backups = await api.getBackups(options.ref);
  const window = supabaseWindow(backups);
  if (!window) {
    throw new PgdrError(
      `Point-in-time recovery is not enabled for Supabase project ${options.ref}${backups.pitr_enabled ? ' (no PITR window reported yet)' : ''}.`,
      {
        hint: 'Enable the PITR add-on (Project Settings → Add-ons), or restore a daily backup from the dashboard or a pgdr logical backup.',
      },
    );
  }
  // The API takes whole seconds; rounding down keeps the target at or before what the operator asked for.
  const targetUnix = Math.floor(options.target.getTime() / 1000);
  if (targetUnix * 1000 !== options.target.getTime())
    options.log?.warn(`Supabase restores to whole seconds: using ${formatPgTime(new Date(targetUnix * 1000))}.`);
  assertInWindow(new Date(targetUnix * 1000), window, {
    provider: `Supabase project ${options.ref}`,
    latestInclusive: true,
    latestHint:
      'The platform has not archived WAL past that time yet: pick an earlier time, or wait a few minutes and retry.',
  });
  return { window, targetUnix };
}

async function waitForProject(
  api: SupabaseManagementApi,
  options: SupabasePitrOptions,
  started: number,
  deadline: number,
  log: Logger,
): Promise<string[]> {
  const statuses: string[] = [];
  const grace = options.startGraceMs ?? 120_000;
  for (;;) {
    const { status } = await api.getProject(options.ref);
    if (statuses.at(-1) !== status) {
      statuses.push(status);
      log.info(`Project ${options.ref}: ${status}`);
    }
    if (status === 'RESTORE_FAILED') {
      throw new SupabaseRestoreFailed(`Supabase reports RESTORE_FAILED for project ${options.ref}.`, {
        hint: `Open https://supabase.com/dashboard/project/${options.ref}/database/backups/pitr and contact Supabase support with the project ref and the target (unix ${Math.floor(options.target.getTime() / 1000)}).`,
      });
    }
    const left = statuses.length > 1 || Date.now() - started >= grace;
    if (status === 'ACTIVE_HEALTHY' && left) {
      if (statuses.length === 1)
        log.warn('The project never showed RESTORING; check in the dashboard that the restore happened.');
      return statuses;
    }
    await pause(options, deadline, `Project ${options.ref} is still ${status}`);
  }
}

async function waitForHealthyDb(
  api: SupabaseManagementApi,
  options: SupabasePitrOptions,
  deadline: number,
  log: Logger,
): Promise<HealthResponse> {
  for (;;) {
    const health = await api.getHealth(options.ref, ['db']);
    const db = health.find((s) => s.name === 'db');
    if (db?.healthy) return health;
    log.info(`Database of ${options.ref}: ${db?.status ?? 'no report'}`);
    await pause(options, deadline, `The database of project ${options.ref} is ${db?.status ?? 'not reported'}`);
  }
}

async function pause(options: SupabasePitrOptions, deadline: number, state: string): Promise<void> {
  if (Date.now() >= deadline) {
    const waited = options.timeoutMs ?? 2 * 3600_000;
    throw new SupabaseRestoreFailed(
      `${state} after ${waited >= 120_000 ? `${Math.round(waited / 60_000)} min` : `${Math.round(waited / 1000)} s`} of waiting.`,
      {
        hint: `The restore may still be running: watch https://supabase.com/dashboard/project/${options.ref} and do not start another restore meanwhile.`,
      },
    );
  }
  await sleep(Math.min(options.pollIntervalMs ?? 10_000, Math.max(0, deadline - Date.now())), options.signal);
}
