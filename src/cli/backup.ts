import type { Command } from 'commander';
import chalk from 'chalk';
import { PgdrError, UsageError } from '../core/errors.js';
import type { BackupOptions } from '../backup/index.js';
import { manifestTables } from '../backup/manifest-tables.js';
import { audited } from '../audit/audit-log.js';
import { reportedOperation } from '../notify/reported-operation.js';
import { collect, printJson, stderrLogger } from './output.js';
import {
  addRepoOptions,
  addTargetOptions,
  cliConfig,
  cliEncryption,
  cliKeys,
  cliRepository,
  cliTarget,
  operationContext,
  scratchServer,
  type CommonOptions,
} from './context.js';
import { backupsTable, pruneTable, verificationLines } from './backup-format.js';

interface BackupFlags extends CommonOptions {
  table?: string[];
  format?: string;
  jobs?: string;
  compress?: string;
  encryptTo?: string[];
  passphraseEnv?: string;
  encrypt?: boolean;
  supabase?: boolean;
  storage?: boolean;
}

const KINDS = ['full', 'schema', 'tables'] as const;

export function registerBackupCommands(program: Command): void {
  const backup = addRepoOptions(addTargetOptions(program.command('backup').enablePositionalOptions()))
    .description(
      'Take a backup: pg_dump streamed through zstd and age into the repository, with a manifest of exact row counts.',
    )
    .argument('[kind]', 'full (default), schema, or tables', 'full')
    .option('--table <name>', 'with kind "tables": a table to include (repeatable)', collect)
    .option('--format <custom|directory>', 'pg_dump format; directory dumps in parallel with --jobs', 'custom')
    .option('--jobs <n>', 'parallel pg_dump jobs (directory format)')
    .option('--compress <method[:level]>', 'zstd (default), gzip, none; e.g. zstd:6')
    .option('--encrypt-to <age-recipient>', 'encrypt to this age public key (repeatable)', collect)
    .option('--passphrase-env <VAR>', 'encrypt with the passphrase held in environment variable VAR')
    .option('--no-encrypt', 'do not encrypt even if the config names recipients')
    .option(
      '--supabase',
      'Supabase project: leave out the platform-managed schemas, keep auth and storage, store the roles',
    )
    .option(
      '--storage',
      'also copy the project’s Storage objects (the profile’s storage: section), only what changed since the last copy',
    )
    .option('--json', 'print the result as JSON on stdout')
    .option('-v, --verbose', 'show pg_dump’s progress lines')
    .addHelpText(
      'after',
      '\nExamples:\n  pgdr backup --db postgres://app@db:5432/app --repo /var/backups/pgdr --encrypt-to age1…\n  pgdr backup tables --table public.orders --repo s3://bucket/pgdr',
    )
    .action(async (kind: string, flags: BackupFlags) => {
      if (!(KINDS as readonly string[]).includes(kind))
        throw new UsageError(
          `Unknown backup kind "${kind}".`,
          'Use full, schema or tables (or a subcommand: pgdr backup verify).',
        );
      if (flags.format !== 'custom' && flags.format !== 'directory')
        throw new UsageError(`Unknown format "${flags.format}".`, 'Use --format custom or --format directory.');
      const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
      if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1 || jobs > 64))
        throw new UsageError(`--jobs must be a whole number from 1 to 64, not "${flags.jobs}".`);
      const { takeBackup, parseCompression } = await import('../backup/index.js');
      const loaded = await cliConfig(flags);
      const profile = cliTarget(loaded, flags);
      const repo = cliRepository(loaded, flags, 'write');
      const files = flags.storage ? await import('./files.js') : undefined;
      const storage = files?.storageConfig(loaded, flags.profile).storage;
      const ctx = operationContext(flags);
      try {
        const report = {
          command: 'backup',
          target: profile.target.display,
          title: `Backup of ${profile.target.database}`,
          failedEvent: 'backup.failed',
          succeededEvent: 'backup.succeeded',
          config: loaded.config,
          log: ctx.log,
        } as const;
        const options: BackupOptions = {
          target: profile.target,
          repo,
          kind: kind as (typeof KINDS)[number],
          tables: flags.table,
          format: flags.format as BackupOptions['format'],
          jobs,
          compression: parseCompression(flags.compress),
          supabase: flags.supabase ?? profile.supabase,
        };
        const result = await reportedOperation(report, async (note) => {
          // Inside: a scheduled backup with a bad key must be audited and notified like any failed backup.
          const taken = await takeBackup({ ...options, encryption: cliEncryption(loaded, flags) }, ctx);
          note.backupId = taken.id;
          note.details = { kind, bytes: taken.bytes };
          return taken;
        });
        const filesSnapshot =
          files && storage ? await files.backupFilesWith(storage, repo, result.id, loaded, ctx) : undefined;
        ctx.dispose();
        const m = result.manifest;
        const tables = manifestTables(m);
        const rows = tables.reduce((sum, t) => sum + t.rows, 0);
        if (flags.json) {
          printJson({
            id: result.id,
            location: result.location,
            bytes: result.bytes,
            sha256: result.sha256,
            snapshotTime: m.snapshotTime,
            durationMs: m.durationMs,
            tables: tables.length,
            rows,
            encrypted: Boolean(m.encryption),
            ...(filesSnapshot
              ? {
                  storage: {
                    objects: filesSnapshot.objects.length,
                    copied: filesSnapshot.copied,
                    reused: filesSnapshot.reused,
                  },
                }
              : {}),
          });
        } else {
          if (files && filesSnapshot) process.stdout.write(files.filesBackupLine(filesSnapshot));
          const { formatBytes } = await import('../backup/index.js');
          process.stdout.write(
            `${chalk.green('✔')} Backup ${chalk.bold(result.id)}\n` +
              `  location   ${result.location}\n` +
              `  size       ${formatBytes(result.bytes)} (database ${formatBytes(m.databaseBytes)})\n` +
              `  sha256     ${result.sha256}\n` +
              `  snapshot   ${m.snapshotTime} (the recovery point)\n` +
              `  tables     ${tables.length}, ${rows} rows counted in the same snapshot\n` +
              `  encrypted  ${m.encryption ? `yes (age${m.encryption.passphrase ? ', passphrase' : `, ${m.encryption.recipients.length} recipient(s)`})` : chalk.yellow('no')}\n` +
              `  took       ${(m.durationMs / 1000).toFixed(1)} s\n`,
          );
        }
      } finally {
        ctx.dispose();
      }
    });

  addRepoOptions(backup.command('verify'))
    .description(
      'Check a backup: checksums, decryption, the archive’s table of contents, and with --restore-test a real restore.',
    )
    .argument('<id>', 'backup id, an unambiguous prefix, latest or latest-verified')
    .option(
      '--restore-test',
      'restore into a scratch database, compare every table’s row count with the manifest, then drop it',
    )
    .option(
      '--scratch-db <profile|url>',
      'server for the restore test: a profile from the config, or a URL (password from PGPASSWORD or ~/.pgpass, not the command line); a scratch database is created and dropped there',
    )
    .option('--identity <file>', 'age identity file to decrypt with')
    .option('--passphrase-env <VAR>', 'environment variable holding the passphrase')
    .option('--json', 'print the result as JSON on stdout')
    .option('-v, --verbose', 'show pg_restore’s lines')
    .action(
      async (
        id: string,
        flags: CommonOptions & { restoreTest?: boolean; scratchDb?: string; identity?: string; passphraseEnv?: string },
      ) => {
        if (flags.restoreTest && !flags.scratchDb)
          throw new UsageError(
            '--restore-test needs --scratch-db <url> naming the server to restore on.',
            'The database in the URL is only used to connect; pgdr creates and drops its own scratch database there.',
          );
        const { verifyBackup } = await import('../backup/index.js');
        const loaded = await cliConfig(flags);
        const repo = cliRepository(loaded, flags);
        const keys = await cliKeys(loaded, flags);
        const scratch = flags.restoreTest ? scratchServer(loaded, flags.scratchDb!) : undefined;
        const ctx = operationContext(flags);
        try {
          const report = {
            command: 'verify',
            target: repo.url,
            title: `Verification of ${id} in ${repo.url}`,
            failedEvent: 'verify.failed',
            config: loaded.config,
            log: ctx.log,
          } as const;
          await reportedOperation(report, async (note) => {
            const result = await verifyBackup(
              { repo, ref: id, keys, ...(scratch ? { restoreTest: { server: scratch } } : {}) },
              ctx,
            );
            note.backupId = result.backupId;
            note.details = { restoreTest: Boolean(result.restoreTest), ok: result.ok };
            ctx.dispose();
            if (flags.json) printJson(result);
            else process.stdout.write(verificationLines(result).join('\n') + '\n');
            if (!result.ok)
              throw new PgdrError(
                `Backup ${result.backupId} failed verification (${result.errors.length} problem(s), listed above).`,
                { hint: 'Do not rely on this backup: take a new one (pgdr backup) and check the storage it sat on.' },
              );
          });
        } finally {
          ctx.dispose();
        }
      },
    );

  const backups = program.command('backups').description('The backups in a repository.');
  addRepoOptions(backups.command('list'))
    .description('List complete backups: id, kind, database, snapshot time, size, encryption, last verification.')
    .option(
      '--supabase-project <ref>',
      'list the Supabase platform’s backups and PITR window instead (token from SUPABASE_ACCESS_TOKEN)',
    )
    .option('--json', 'print JSON')
    .action(async (flags: CommonOptions & { supabaseProject?: string }) => {
      if (flags.supabaseProject)
        return await (await import('./pitr.js')).printPlatformBackups(flags.supabaseProject, Boolean(flags.json));
      const { listBackups } = await import('../backup/index.js');
      const loaded = await cliConfig(flags);
      const catalog = await listBackups(cliRepository(loaded, flags));
      const log = stderrLogger();
      for (const line of catalog.warnings) log.warn(line);
      if (flags.json) printJson(catalog.backups.map((b) => ({ ...b.manifest, verification: b.verification ?? null })));
      else process.stdout.write(backupsTable(catalog));
    });

  addRepoOptions(program.command('prune'))
    .description(
      'Remove backups outside the retention policy (default keep 7 daily, 4 weekly, 12 monthly, 5 yearly). The newest verified backup always stays.',
    )
    .option('--keep-daily <n>')
    .option('--keep-weekly <n>')
    .option('--keep-monthly <n>')
    .option('--keep-yearly <n>')
    .option('--retention-days <n>', 'keep everything younger than N days instead of the calendar policy')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        flags: CommonOptions &
          Record<'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly' | 'retentionDays', string | undefined> & {
            dryRun?: boolean;
          },
      ) => {
        const { prune } = await import('../backup/index.js');
        const loaded = await cliConfig(flags);
        const r = loaded.config.retention;
        const num = (text: string | undefined, fallback: number | undefined, flag: string) => {
          if (text === undefined) return fallback;
          const n = Number(text);
          if (!Number.isInteger(n) || n < 0)
            throw new UsageError(`${flag} must be a whole number (0 or more), not "${text}".`);
          return n;
        };
        const retentionDays = num(flags.retentionDays, r.days, '--retention-days');
        if (retentionDays === 0)
          throw new UsageError('--retention-days 0 would keep nothing but the newest backup.', 'Give at least 1.');
        const policy = {
          keepDaily: num(flags.keepDaily, r.keepDaily, '--keep-daily')!,
          keepWeekly: num(flags.keepWeekly, r.keepWeekly, '--keep-weekly')!,
          keepMonthly: num(flags.keepMonthly, r.keepMonthly, '--keep-monthly')!,
          keepYearly: num(flags.keepYearly, r.keepYearly, '--keep-yearly')!,
          ...(retentionDays !== undefined ? { retentionDays } : {}),
        };
        const repo = cliRepository(loaded, flags);
        const result = await audited(
          flags.dryRun ? 'prune --dry-run' : 'prune',
          async (note) => {
            const pruned = await prune(repo, policy, { dryRun: flags.dryRun });
            note.details = {
              removed: pruned.removed.length,
              freedBytes: pruned.freedBytes,
              ...(pruned.damaged.length ? { keptDamaged: pruned.damaged.length } : {}),
            };
            return pruned;
          },
          { target: repo.url },
        );
        const log = stderrLogger();
        for (const line of result.warnings) log.warn(line);
        if (flags.json) printJson({ dryRun: Boolean(flags.dryRun), ...result });
        else process.stdout.write(pruneTable(result, Boolean(flags.dryRun)));
      },
    );
}
