import { UsageError } from '../core/errors.js';
import type { OperationContext } from '../core/context.js';
import { audited } from '../audit/audit-log.js';
import {
  describeRestorePlan,
  describeWindow,
  formatPgTime,
  parsePitrTarget,
  pitrRestore,
  planPitrRestore,
  planSupabasePitr,
  supabasePitrRestore,
  type PitrRestoreOptions,
} from '../restore/pitr/index.js';
import { SupabaseManagementApi } from '../supabase/management-api.js';
import { operationContext } from './context.js';
import { printJson } from './output.js';

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--port ${text} is not a port number.`, 'Ports are numbers from 1 to 65535.');
  return n;
}

/** What `pgdr pitr restore` and `pgdr restore --pitr` ask for. */
export interface PitrRestoreRequest {
  /** The flag the time came from, for messages: --to or --pitr. */
  flag: string;
  to: string;
  pgbackrestStanza?: string;
  pgbackrestConfig?: string;
  dataDir?: string;
  port?: number;
  supabaseProject?: string;
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  pollIntervalMs?: number;
  timeoutMinutes: number;
}

/**
 * Point-in-time recovery from the command line: audited (a Supabase PITR overwrites the project in place), and
 * stopped by Ctrl-C, SIGTERM or a hang-up, which also stops a half-recovered pgBackRest cluster.
 */
export async function restoreToPointInTime(request: PitrRestoreRequest): Promise<void> {
  if (!!request.pgbackrestStanza === !!request.supabaseProject) {
    throw new UsageError(
      `${request.flag} needs either --pgbackrest-stanza (with --data-dir and --port) or --supabase-project.`,
      `pgdr pitr restore --to "2025-01-10 14:00:00+00" --pgbackrest-stanza main --data-dir /var/lib/postgresql/pitr --port 5433`,
    );
  }
  const target = parsePitrTarget(request.to, request.supabaseProject ? 'supabase' : 'pgbackrest', request.flag);
  const ctx = operationContext({ verbose: request.verbose, quiet: true });
  try {
    if (request.supabaseProject && target !== 'latest')
      return await supabasePointInTime({ ...request, supabaseProject: request.supabaseProject }, target, ctx);
    if (!request.dataDir || !request.port)
      throw new UsageError(
        '--pgbackrest-stanza needs --data-dir (a new, empty directory) and --port.',
        'e.g. --data-dir /var/lib/postgresql/pitr --port 5433',
      );
    const options: PitrRestoreOptions = {
      stanza: request.pgbackrestStanza!,
      configPath: request.pgbackrestConfig ?? process.env.PGBACKREST_CONFIG,
      target,
      dataDir: request.dataDir,
      port: request.port,
      log: ctx.log,
      timeoutSeconds: request.timeoutMinutes * 60,
      signal: ctx.signal,
    };
    if (request.dryRun) {
      const plan = await planPitrRestore(options);
      const steps = describeRestorePlan(options, plan);
      return request.json
        ? printJson({ dryRun: true, window: plan.window, backup: plan.backup, steps })
        : void process.stdout.write(steps.map((s, i) => `${i + 1}. ${s}`).join('\n') + '\n');
    }
    const result = await audited(
      'pitr restore',
      async (note) => {
        const restored = await pitrRestore(options);
        note.backupId = restored.backup;
        note.details = {
          recoveredTo: restored.recoveredTo.toISOString(),
          dataDir: restored.dataDir,
          port: restored.port,
        };
        return restored;
      },
      { target: `pgbackrest:${options.stanza}` },
    );
    if (request.json) return printJson(result);
    process.stdout.write(
      `Recovered to ${formatPgTime(result.recoveredTo)} from backup ${result.backup}; running on port ${result.port} (${result.url}), data in ${result.dataDir}.\n`,
    );
  } finally {
    ctx.dispose();
  }
}

async function supabasePointInTime(
  request: PitrRestoreRequest & { supabaseProject: string },
  target: Date,
  ctx: OperationContext,
): Promise<void> {
  const ref = request.supabaseProject;
  const api = SupabaseManagementApi.fromEnv(process.env, { log: ctx.log, signal: ctx.signal });
  if (request.dryRun) {
    const plan = await planSupabasePitr({ ref, target, log: ctx.log }, api);
    const lines = [
      `target inside the window ${describeWindow(plan.window)}`,
      `would POST /v1/projects/${ref}/database/backups/restore-pitr {"recovery_time_target_unix": ${plan.targetUnix}}`,
      'then wait for ACTIVE_HEALTHY and a healthy db',
    ];
    return request.json
      ? printJson({ dryRun: true, ...plan, steps: lines })
      : void process.stdout.write(lines.join('\n') + '\n');
  }
  const result = await audited(
    'pitr restore',
    async (note) => {
      const restored = await supabasePitrRestore({
        ref,
        target,
        api,
        log: ctx.log,
        signal: ctx.signal,
        pollIntervalMs: request.pollIntervalMs,
        timeoutMs: request.timeoutMinutes * 60_000,
      });
      note.details = { recoveryTimeTargetUnix: restored.recoveryTimeTargetUnix };
      return restored;
    },
    { target: `supabase:${ref}` },
  );
  if (request.json) return printJson(result);
  process.stdout.write(
    `Restored Supabase project ${result.ref} to ${formatPgTime(new Date(result.recoveryTimeTargetUnix * 1000))}.\n`,
  );
}
