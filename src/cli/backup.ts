import type { Command } from 'commander';
import chalk from 'chalk';
import { PgdrError, UsageError } from '../core/errors.js';
import type { BackupOptions } from '../backup/index.js';
import { manifestTables } from '../backup/manifest-tables.js';
import { reportedOperation } from '../notify/reported-operation.js';
import { collect, printJson } from './output.js';
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
import { verificationLines } from './backup-format.js';
import { registerPruneCommand } from './prune.js';
import { physicalBackup, type PhysicalFlags } from './backup-physical.js';
import { addLockOptions, lockOption, type LockFlags } from './repository-policy.js';

interface BackupFlags extends CommonOptions, PhysicalFlags, LockFlags {
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
const PHYSICAL_ONLY = ['incremental', 'differential'];

export function registerBackupCommands(program: Command): void {
  const backup = addLockOptions(addRepoOptions(addTargetOptions(program.command('backup').enablePositionalOptions())))
    .description(
      'Take a backup: pg_dump streamed through zstd and age into the repository, with a manifest of exact row counts.',
    )
    .argument(
      '[kind]',
      'full (default), schema, tables; or with pgBackRest: differential, incremental (full too, given --pgbackrest-stanza)',
      'full',
    )
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
    .option(
      '--pgbackrest-stanza <name>',
      'a physical backup through pgBackRest (else pgbackrest.stanza in the config for differential/incremental)',
    )
    .option('--pgbackrest-config <file>', 'pgbackrest.conf (else pgbackrest.configPath, PGBACKREST_CONFIG)')
    .option('--json', 'print the result as JSON on stdout')
    .option('-v, --verbose', 'show pg_dump’s progress lines')
    .addHelpText(
      'after',
      '\nExamples:\n  pgdr backup --db postgres://app@db:5432/app --repo /var/backups/pgdr --encrypt-to age1…\n  pgdr backup tables --table public.orders --repo s3://bucket/pgdr\n  pgdr backup incremental --pgbackrest-stanza main',
    )
    .action(async (kind: string, flags: BackupFlags) => {
      if (PHYSICAL_ONLY.includes(kind) || flags.pgbackrestStanza) return await physicalBackup(kind, flags);
      if (!(KINDS as readonly string[]).includes(kind))
        throw new UsageError(
          `Unknown backup kind "${kind}".`,
          'Use full, schema, tables, differential or incremental (or a subcommand: pgdr backup verify).',
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
          lock: lockOption(loaded, flags),
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
            ...(m.lock ? { lock: { ...m.lock, ...(result.sealed ? { sealed: result.sealed } : {}) } } : {}),
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
              (m.lock
                ? `  locked     until ${m.lock.until.slice(0, 16).replace('T', ' ')} UTC (${lockWords(m.lock.mode, result.sealed)})\n`
                : '') +
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
        const { verifyTimed } = await import('../restore/verify-timing.js');
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
            const result = await verifyTimed(
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
    .description(
      'List complete backups: id, kind, database, snapshot time, size, encryption, last verification; and pgBackRest’s physical sets.',
    )
    .option(
      '--supabase-project <ref>',
      'list the Supabase platform’s backups and PITR window instead (token from SUPABASE_ACCESS_TOKEN)',
    )
    .option(
      '--pgbackrest-stanza <name>',
      'also list this stanza’s physical sets (else pgbackrest.stanza in the config)',
    )
    .option('--pgbackrest-config <file>', 'pgbackrest.conf (else pgbackrest.configPath, PGBACKREST_CONFIG)')
    .option('--json', 'print JSON')
    .action(async (flags: CommonOptions & PhysicalFlags & { supabaseProject?: string }) => {
      if (flags.supabaseProject)
        return await (await import('./pitr.js')).printPlatformBackups(flags.supabaseProject, Boolean(flags.json));
      await (await import('./backups-list.js')).listAll(flags);
    });

  registerPruneCommand(program);
}

function lockWords(mode: string, sealed: string | undefined): string {
  if (mode !== 'local') return `S3 Object Lock, ${mode} mode`;
  return sealed === 'immutable'
    ? 'read-only and immutable, chattr +i'
    : 'read-only; chattr +i was not possible here (it needs root and a file system that has it)';
}
