import { UsageError } from '../core/errors.js';
import { audited } from '../audit/audit-log.js';
import { formatPgTime, parsePitrTarget } from '../restore/pitr/index.js';
import { recoverToPointInTime } from '../restore/pitr/recover.js';
import type { PitrRequest } from '../restore/pitr/request.js';
import { operationContext } from './context.js';
import { printJson } from './output.js';
import { SupabaseManagementApi } from '../supabase/management-api.js';

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--port ${text} is not a port number.`, 'Ports are numbers from 1 to 65535.');
  return n;
}

/** What `pgdr pitr restore` and `pgdr restore --pitr` are given. */
export interface PitrFlags {
  /** The flag the time came from, for messages: --to or --pitr. */
  flag: string;
  to: string;
  pgbackrestStanza?: string;
  pgbackrestConfig?: string;
  dataDir?: string;
  port?: number;
  supabaseProject?: string;
  dryRun?: boolean;
  pollIntervalMs?: number;
  timeoutMinutes: number;
}

/** The point-in-time recovery the flags ask for; a missing or contradictory flag is refused here. */
export function pitrRequest(flags: PitrFlags): PitrRequest {
  if (!!flags.pgbackrestStanza === !!flags.supabaseProject) {
    throw new UsageError(
      `${flags.flag} needs either --pgbackrest-stanza (with --data-dir and --port) or --supabase-project.`,
      `pgdr pitr restore --to "2025-01-10 14:00:00+00" --pgbackrest-stanza main --data-dir /var/lib/postgresql/pitr --port 5433`,
    );
  }
  const to = parsePitrTarget(flags.to, flags.supabaseProject ? 'supabase' : 'pgbackrest', flags.flag);
  if (flags.supabaseProject && to !== 'latest')
    return {
      into: 'pitr',
      provider: 'supabase',
      to,
      project: flags.supabaseProject,
      pollIntervalMs: flags.pollIntervalMs,
      timeoutMs: flags.timeoutMinutes * 60_000,
      dryRun: flags.dryRun,
    };
  if (!flags.dataDir || !flags.port)
    throw new UsageError(
      '--pgbackrest-stanza needs --data-dir (a new, empty directory) and --port.',
      'e.g. --data-dir /var/lib/postgresql/pitr --port 5433',
    );
  return {
    into: 'pitr',
    provider: 'pgbackrest',
    to,
    stanza: flags.pgbackrestStanza!,
    configPath: flags.pgbackrestConfig ?? process.env.PGBACKREST_CONFIG,
    dataDir: flags.dataDir,
    port: flags.port,
    timeoutSeconds: flags.timeoutMinutes * 60,
    dryRun: flags.dryRun,
  };
}

/**
 * Point-in-time recovery from the command line: audited (a Supabase PITR overwrites the project in place), and
 * stopped by Ctrl-C, SIGTERM or a hang-up, which also stops a half-recovered pgBackRest cluster.
 */
export async function restoreToPointInTime(
  request: PitrRequest,
  output: { json?: boolean; verbose?: boolean } = {},
): Promise<void> {
  const ctx = operationContext({ verbose: output.verbose, quiet: true });
  try {
    const where = request.provider === 'supabase' ? `supabase:${request.project}` : `pgbackrest:${request.stanza}`;
    // Without a token there is nothing to audit: refused before the first request.
    const api =
      request.provider === 'supabase'
        ? SupabaseManagementApi.fromEnv(process.env, { log: ctx.log, signal: ctx.signal })
        : undefined;
    const outcome = request.dryRun
      ? await recoverToPointInTime(request, ctx, api)
      : await audited(
          'pitr restore',
          async (note) => {
            const done = await recoverToPointInTime(request, ctx, api);
            if (done.provider === 'pgbackrest' && !done.dryRun) {
              note.backupId = done.result.backup;
              note.details = {
                recoveredTo: done.result.recoveredTo.toISOString(),
                dataDir: done.result.dataDir,
                port: done.result.port,
              };
            }
            if (done.provider === 'supabase' && !done.dryRun)
              note.details = { recoveryTimeTargetUnix: done.result.recoveryTimeTargetUnix };
            return done;
          },
          { target: where },
        );
    if (outcome.dryRun) {
      const json =
        outcome.provider === 'pgbackrest'
          ? { dryRun: true, window: outcome.plan.window, backup: outcome.plan.backup, steps: outcome.steps }
          : { dryRun: true, window: outcome.window, targetUnix: outcome.targetUnix, steps: outcome.steps };
      if (output.json) return printJson(json);
      const numbered =
        outcome.provider === 'pgbackrest' ? outcome.steps.map((s, i) => `${i + 1}. ${s}`) : outcome.steps;
      return void process.stdout.write(numbered.join('\n') + '\n');
    }
    if (output.json) return printJson(outcome.result);
    if (outcome.provider === 'supabase')
      return void process.stdout.write(
        `Restored Supabase project ${outcome.result.ref} to ${formatPgTime(outcome.recoveryPoint)}.\n`,
      );
    const r = outcome.result;
    process.stdout.write(
      `Recovered to ${formatPgTime(r.recoveredTo)} from backup ${r.backup}; running on port ${r.port} (${r.url}), data in ${r.dataDir}.\n`,
    );
  } finally {
    ctx.dispose();
  }
}
