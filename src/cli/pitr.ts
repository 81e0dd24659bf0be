import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { OperationContext } from '../core/context.js';
import { audited } from '../audit/audit-log.js';
import { operationContext } from './context.js';
import { printJson, stderrLogger } from './output.js';
import {
  describeRestorePlan,
  describeWindow,
  formatPgTime,
  parsePitrTarget,
  pgbackrestInfo,
  pitrRestore,
  pitrSetup,
  pitrSetupPlan,
  planPitrRestore,
  planSupabasePitr,
  renderSetupPlan,
  listPlatformBackups,
  supabasePitrRestore,
  type PitrRestoreOptions,
} from '../restore/pitr/index.js';
import { SupabaseManagementApi } from '../supabase/management-api.js';

interface PitrCliOptions {
  pgbackrestConfig?: string;
  json?: boolean;
  verbose?: boolean;
}

const configOption = [
  '--pgbackrest-config <file>',
  'pgbackrest.conf (else PGBACKREST_CONFIG, else /etc/pgbackrest/pgbackrest.conf)',
] as const;

function pgbackrestConfig(options: PitrCliOptions): string | undefined {
  return options.pgbackrestConfig ?? process.env.PGBACKREST_CONFIG ?? undefined;
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--port ${text} is not a port number.`, 'Ports are numbers from 1 to 65535.');
  return n;
}

function positive(text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`"${text}" is not a positive number.`, 'e.g. --poll-interval 10 --timeout 120');
  return n;
}

/** `pgdr pitr setup | info | restore`: point-in-time recovery through pgBackRest or the Supabase platform. */
export function registerPitrCommands(program: Command): void {
  const pitr = program
    .command('pitr')
    .description('Point-in-time recovery: pgBackRest (self-hosted) or the Supabase platform');

  pitr
    .command('setup')
    .description(
      'print (or with --write apply and check) the pgBackRest stanza and the postgresql.conf archive settings',
    )
    .requiredOption('--stanza <name>', 'pgBackRest stanza, e.g. main')
    .requiredOption('--data-dir <dir>', 'data directory of the running cluster')
    .requiredOption('--repo-path <dir>', 'where pgBackRest keeps backups and WAL (repo1-path)')
    .option('--port <n>', 'port of the running cluster', parsePort, 5432)
    .option('--socket-dir <dir>', 'its Unix socket directory', '/var/run/postgresql')
    .option(...configOption)
    .option(
      '--write',
      'write pgbackrest.conf, set the server settings (ALTER SYSTEM + reload), run stanza-create and check',
    )
    .option('--json', 'print JSON')
    .action(
      async (
        o: PitrCliOptions & {
          stanza: string;
          dataDir: string;
          repoPath: string;
          port: number;
          socketDir: string;
          write?: boolean;
        },
      ) => {
        const setup = {
          stanza: o.stanza,
          dataDir: o.dataDir,
          repoPath: o.repoPath,
          port: o.port,
          socketDir: o.socketDir,
          configPath: pgbackrestConfig(o),
        };
        const plan = pitrSetupPlan(setup);
        if (!o.json) process.stdout.write(renderSetupPlan(plan) + '\n');
        const result = await pitrSetup(setup, { write: !!o.write, log: stderrLogger() });
        if (o.json) printJson(result);
        if (!result.ok) process.exitCode = 1;
      },
    );

  pitr
    .command('info')
    .description('show the recoverable window (earliest … latest) of a pgBackRest stanza or a Supabase project')
    .option('--stanza <name>', 'pgBackRest stanza')
    .option('--supabase-project <ref>', 'Supabase project ref (token from SUPABASE_ACCESS_TOKEN)')
    .option(...configOption)
    .option('--json', 'print JSON')
    .action(async (o: PitrCliOptions & { stanza?: string; supabaseProject?: string }) => {
      if (!!o.stanza === !!o.supabaseProject)
        throw new UsageError('Give either --stanza or --supabase-project.', 'pgdr pitr info --stanza main');
      if (o.supabaseProject) return await printPlatformBackups(o.supabaseProject, Boolean(o.json));
      const info = await pgbackrestInfo({ stanza: o.stanza!, configPath: pgbackrestConfig(o) });
      if (o.json) return printJson(info);
      process.stdout.write(
        `stanza ${info.stanza}: ${info.status.message}; PostgreSQL ${info.pgMajor ?? '?'}; WAL ${info.archive ? `${info.archive.min} … ${info.archive.max}` : 'none archived'}\n`,
      );
      process.stdout.write(`window: ${info.window ? describeWindow(info.window) : 'none (no backup yet)'}\n`);
      if (info.window) process.stdout.write(`latest: ${info.window.latestSource}\n`);
      for (const b of info.backups)
        process.stdout.write(`  ${b.label}  ${b.type.padEnd(4)}  ${formatPgTime(b.start)} → ${formatPgTime(b.stop)}\n`);
    });

  pitr
    .command('restore')
    .description(
      'restore to a point in time: into a new data directory (pgBackRest) or in place on the Supabase platform',
    )
    .requiredOption(
      '--to <time|latest>',
      'recovery target with a zone, e.g. "2025-01-10 14:00:00+00"; latest (pgBackRest): the newest backup and all archived WAL',
    )
    .option('--pgbackrest-stanza <name>', 'restore this pgBackRest stanza')
    .option('--data-dir <dir>', 'new, empty data directory for the restored cluster')
    .option('--port <n>', 'port for the restored cluster', parsePort)
    .option(...configOption)
    .option('--supabase-project <ref>', 'restore this Supabase project in place (token from SUPABASE_ACCESS_TOKEN)')
    .option('--poll-interval <seconds>', 'Supabase: seconds between status polls', positive, 10)
    .option(
      '--timeout <minutes>',
      'give up waiting after this long (Supabase status polling, pgBackRest WAL replay)',
      positive,
      120,
    )
    .option('--dry-run', 'check the target and print the plan; change nothing')
    .option('--json', 'print JSON')
    .option('--verbose', 'log every pgBackRest line')
    .action(
      async (
        o: PitrCliOptions & {
          to: string;
          pgbackrestStanza?: string;
          dataDir?: string;
          port?: number;
          supabaseProject?: string;
          dryRun?: boolean;
          pollInterval: number;
          timeout: number;
        },
      ) => {
        await restoreToPointInTime({
          ...o,
          flag: '--to',
          pgbackrestConfig: pgbackrestConfig(o),
          pollIntervalMs: o.pollInterval * 1000,
          timeoutMinutes: o.timeout,
        });
      },
    );
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

/** The Supabase platform's own backups and PITR window (pgdr pitr info and pgdr backups list --supabase-project). */
export async function printPlatformBackups(ref: string, json: boolean): Promise<void> {
  const list = await listPlatformBackups(ref);
  if (json) return printJson(list);
  process.stdout.write(
    `Supabase project ${list.ref} (${list.region}), PITR ${list.pitrEnabled ? 'enabled' : 'not enabled'}\n`,
  );
  process.stdout.write(`window: ${list.window ? describeWindow(list.window) : 'none'}\n`);
  for (const b of list.backups)
    process.stdout.write(`  ${b.insertedAt.toISOString()}  ${b.kind.padEnd(8)}  ${b.status}\n`);
}
