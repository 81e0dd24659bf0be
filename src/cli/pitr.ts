import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { parsePort, restoreToPointInTime } from './pitr-restore.js';
import { printJson, stderrLogger } from './output.js';
import {
  describeWindow,
  formatPgTime,
  pgbackrestInfo,
  pitrSetup,
  pitrSetupPlan,
  renderSetupPlan,
  listPlatformBackups,
} from '../restore/pitr/index.js';

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
