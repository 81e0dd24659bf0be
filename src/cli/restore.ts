import type { Command } from 'commander';
import chalk from 'chalk';
import { UsageError } from '../core/errors.js';
import type { PreparedRestore } from '../restore/index.js';
import type { ThawOptions } from '../backup/thaw.js';
import type { RestoreShapeFlags } from './restore-request.js';
import { collect, printJson } from './output.js';
import { planText, summaryText } from './restore-format.js';
import { audited } from '../audit/audit-log.js';
import {
  addRepoOptions,
  addTargetOptions,
  cliConfig,
  cliEncryption,
  cliKeys,
  cliRepository,
  cliTarget,
  operationContext,
  type CommonOptions,
} from './context.js';

interface RestoreFlags extends CommonOptions, RestoreShapeFlags {
  yes?: boolean;
  identity?: string;
  passphraseEnv?: string;
  pitr?: string;
  pgbackrestStanza?: string;
  pgbackrestConfig?: string;
  dataDir?: string;
  port?: string;
  supabaseProject?: string;
  storage?: boolean;
  archiveTier?: string;
  archiveDays?: string;
  archivePoll?: string;
  newCluster?: string;
  pgVersion?: string;
  postgresqlConf?: string;
}

export function registerRestoreCommand(program: Command): void {
  addRepoOptions(addTargetOptions(program.command('restore')))
    .description(
      'Restore a backup: into a new database (default), in place with --clean, some tables, some rows, or to a point in time.',
    )
    .argument('[backup]', 'backup id, "latest", or the path of a backup directory')
    .option('--new-db <name>', 'name of the new database (default <db>_restored_<yyyymmddhhmm>)')
    .option('--clean', 'restore in place over the --db database (destructive: needs --confirm or the name typed back)')
    .option('--confirm <dbname>', 'the target database name, confirming a destructive restore')
    .option('-y, --yes', 'answer yes to questions (never enough to destroy data)')
    .option('--no-safety-snapshot', 'with --clean: skip the backup of the target taken first')
    .option('--schema-only', 'restore the definitions, no data')
    .option('--table <schema.table>', 'restore only this table, its data and what hangs on it (repeatable)', collect)
    .option('--rows <schema.table:WHERE>', "copy the backup's rows matching WHERE back into the --db database")
    .option(
      '--on-conflict <skip|overwrite>',
      'with --rows: rows already present are skipped (default) or overwritten',
      'skip',
    )
    .option('--identity <file>', 'age identity file to decrypt the backup')
    .option('--passphrase-env <VAR>', "environment variable holding the backup's passphrase")
    .option('--jobs <n>', 'parallel pg_restore jobs (default min(4, cores))')
    .option(
      '--into-supabase',
      'a --supabase backup into a fresh Supabase project: roles, schema without the managed schemas, then data',
    )
    .option(
      '--storage',
      'also put back the Storage objects copied with this backup (pgdr backup --storage) into the profile’s buckets',
    )
    .option('--dry-run', 'print every step and command; change nothing')
    .option(
      '--archive-tier <expedited|standard|bulk>',
      'a backup S3 moved to GLACIER or DEEP_ARCHIVE: the retrieval tier its restore request asks for',
      'standard',
    )
    .option('--archive-days <n>', 'days S3 keeps the restored copy of an archived backup', '2')
    .option('--archive-poll <seconds>', 'how often to check whether S3 has restored it', '120')
    .option(
      '--pitr <time|latest>',
      "point-in-time recovery to this time (with --pgbackrest-stanza or --supabase-project); latest: pgBackRest's newest backup and all archived WAL",
    )
    .option('--pgbackrest-stanza <name>', 'PITR: pgBackRest stanza')
    .option('--pgbackrest-config <file>', 'PITR: pgbackrest.conf')
    .option(
      '--new-cluster <dir>',
      'create a PostgreSQL cluster in this new or empty directory and restore the whole backup into it, loaded with durability off, then made durable',
    )
    .option('--pg-version <major>', "--new-cluster: the PostgreSQL major to create (default: the backup's server)")
    .option(
      '--postgresql-conf <file>',
      "--new-cluster: postgresql.conf for after the load (default: pgdr's safe settings)",
    )
    .option('--data-dir <dir>', 'PITR: new, empty data directory for the recovered cluster')
    .option('--port <n>', 'PITR and --new-cluster: port for the new cluster (--new-cluster: default 5432)')
    .option('--supabase-project <ref>', 'PITR: Supabase project ref (token from SUPABASE_ACCESS_TOKEN)')
    .option('--json', 'print the result as JSON on stdout')
    .option('-v, --verbose', "show pg_restore's messages")
    .addHelpText(
      'after',
      '\nExamples:\n  pgdr restore latest --repo /backups --db postgres://app@db/app\n  pgdr restore latest --repo /backups --db postgres://app@db/app --clean --confirm app\n  pgdr restore latest --repo /backups --db postgres://app@db/app --rows "public.orders:customer_id = 42"',
    )
    .action(async (ref: string | undefined, flags: RestoreFlags) => {
      if (flags.pitr) return await pointInTime(flags);
      if (flags.newCluster !== undefined) return await intoNewCluster(ref, flags);
      if (!ref)
        throw new UsageError(
          'Name the backup to restore.',
          'pgdr restore latest --repo … --db …  (pgdr backups list shows the ids)',
        );
      // A pgBackRest set (backups list shows them too) is restored by pgBackRest, with the WAL after it.
      if (/^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/.test(ref))
        throw new UsageError(
          `${ref} is a physical pgBackRest set, not a backup in the repository.`,
          'Restore the newest set and every archived transaction after it: pgdr restore --pitr latest --pgbackrest-stanza S --data-dir NEW_DIR --port N (or --pitr TIME for a point in time).',
        );
      const { restoreBackup, planRestore } = await import('../restore/index.js');
      const { destroysData } = await import('../restore/request.js');
      const { restoreRequest } = await import('./restore-request.js');
      const loaded = await cliConfig(flags);
      const profile = cliTarget(loaded, flags);
      // A backup directory's path needs no repository: the restore reads it where it lies.
      const repo = (() => {
        try {
          return cliRepository(loaded, flags);
        } catch (error) {
          if (ref.includes('/')) return undefined;
          throw error;
        }
      })();
      const request = restoreRequest(flags, {
        ref,
        repo,
        target: profile.target,
        keys: await cliKeys(loaded, flags),
        safetyEncryption: () => cliEncryption(loaded, { passphraseEnv: flags.passphraseEnv }),
        archive: archiveOptions(flags),
      });
      const files = flags.storage ? await import('./files.js') : undefined;
      const storage = files?.storageConfig(loaded, flags.profile).storage;
      const ctx = operationContext(flags);
      try {
        if (destroysData(request) && request.confirm === undefined && !flags.dryRun) {
          request.confirm = await askConfirmation(
            await planRestore({ ...request, confirm: profile.target.database, dryRun: true }),
            flags,
          );
        }
        const result = await audited(
          flags.dryRun ? 'restore --dry-run' : 'restore',
          async (note) => {
            const restored = await restoreBackup(request, ctx);
            note.backupId = restored.backupId;
            note.details = {
              database: restored.database,
              mode: restored.mode,
              what: restored.what,
              rowCountsMatch: restored.ok,
              ...(restored.safetySnapshotId ? { safetySnapshot: restored.safetySnapshotId } : {}),
            };
            return restored;
          },
          { target: profile.target.display },
        );
        const filesRestored =
          files && storage && repo && !result.dryRun
            ? await files.restoreFilesWith(storage, repo, result.backupId, request.keys?.identities, undefined, ctx)
            : undefined;
        ctx.dispose();
        if (filesRestored && !flags.json)
          process.stdout.write(
            `Restored ${filesRestored.restored} Storage objects from snapshot ${filesRestored.snapshot}.\n`,
          );
        if (flags.json) printJson(result);
        else
          process.stdout.write(
            result.dryRun ? planText(result.plan, result.prediction) : summaryText(result, profile.target),
          );
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        ctx.dispose();
      }
    });
}

const TIERS = { expedited: 'Expedited', standard: 'Standard', bulk: 'Bulk' } as const;

function archiveOptions(flags: RestoreFlags): ThawOptions {
  const tier = TIERS[(flags.archiveTier ?? 'standard') as keyof typeof TIERS];
  if (!tier) throw new UsageError(`--archive-tier must be expedited, standard or bulk, not "${flags.archiveTier}".`);
  const days = Number(flags.archiveDays ?? 2);
  if (!Number.isInteger(days) || days < 1 || days > 30)
    throw new UsageError(`--archive-days must be a whole number from 1 to 30, not "${flags.archiveDays}".`);
  const pollSeconds = Number(flags.archivePoll ?? 120);
  if (!(pollSeconds > 0))
    throw new UsageError(`--archive-poll must be a number of seconds, not "${flags.archivePoll}".`);
  return { tier, days, pollSeconds };
}

/** The name typed back on a terminal; without one, --confirm is the only way. */
async function askConfirmation(prepared: PreparedRestore, flags: RestoreFlags): Promise<string> {
  const { plan } = prepared;
  const hint = `Pass --confirm ${plan.database}${flags.yes ? ' (--yes alone never destroys data)' : ''}, or run on a terminal to type it.`;
  if (!process.stdin.isTTY)
    throw new UsageError(`Restoring over ${plan.database} destroys what it holds now and needs confirmation.`, hint);
  process.stderr.write(
    `${chalk.red('This restore replaces data in')} ${chalk.bold(plan.database)} (backup ${plan.backup.id}, taken ${plan.backup.snapshotTime}).\n`,
  );
  for (const d of [...plan.drops, ...plan.overwrites]) process.stderr.write(`  - ${d}\n`);
  if (plan.sessions.length) {
    process.stderr.write(`These ${plan.sessions.length} session(s) will be terminated:\n`);
    for (const s of plan.sessions)
      process.stderr.write(`  pid ${s.pid}  ${s.user}  ${s.application || '-'}  ${s.client}\n`);
  }
  const { input } = await import('@inquirer/prompts');
  const typed = await input({ message: `Type the database name (${plan.database}) to continue:` });
  if (typed.trim() !== plan.database)
    throw new UsageError(`"${typed}" is not ${plan.database}; nothing was changed.`, hint);
  return plan.database;
}

/** --pitr hands over to point-in-time recovery, the same request and service as `pgdr pitr restore`. */
async function pointInTime(flags: RestoreFlags): Promise<void> {
  const { parsePort, pitrRequest, restoreToPointInTime } = await import('./pitr-restore.js');
  const port = flags.port === undefined ? undefined : parsePort(flags.port);
  await restoreToPointInTime(
    pitrRequest({ ...flags, flag: '--pitr', to: flags.pitr!, port, timeoutMinutes: 120 }),
    flags,
  );
}

/** --new-cluster: a cluster pgdr creates, loaded fast and then made durable (src/restore/new-cluster). */
async function intoNewCluster(ref: string | undefined, flags: RestoreFlags): Promise<void> {
  const { newClusterRequest } = await import('./restore-request.js');
  const { restoreIntoNewCluster } = await import('../restore/new-cluster/restore-new-cluster.js');
  const { newClusterText, newClusterPlanText } = await import('./restore-format.js');
  const loaded = await cliConfig(flags);
  const database = (() => {
    try {
      return cliTarget(loaded, flags).target.database;
    } catch {
      return undefined;
    }
  })();
  const repo = (() => {
    try {
      return cliRepository(loaded, flags);
    } catch (error) {
      if (ref?.includes('/')) return undefined;
      throw error;
    }
  })();
  const request = newClusterRequest(flags, {
    ref,
    repo,
    database,
    keys: await cliKeys(loaded, flags),
    archive: archiveOptions(flags),
  });
  const ctx = operationContext(flags);
  try {
    const result = await audited(
      flags.dryRun ? 'restore --new-cluster --dry-run' : 'restore --new-cluster',
      async (note) => {
        const restored = await restoreIntoNewCluster(request, ctx);
        note.backupId = restored.plan.backup.id;
        note.details = { dataDir: restored.plan.dataDir, port: restored.plan.port, rowCountsMatch: restored.ok };
        return restored;
      },
      { target: `new cluster ${request.dataDir}` },
    );
    ctx.dispose();
    if (flags.json) printJson(result);
    else process.stdout.write(result.dryRun ? newClusterPlanText(result.plan) : newClusterText(result));
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    ctx.dispose();
  }
}
