import { availableParallelism } from 'node:os';
import { PgdrError, UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { quoteIdent, serverInfo, withClient } from '../pg/client.js';
import { conninfoDatabase, withDatabase, type DbTarget } from '../pg/connection.js';
import { toolFor, type ToolInfo } from '../pg/tools.js';
import type { BackupManifest } from '../backup/manifest.js';
import type { EncryptionOption } from '../backup/archive.js';
import { protecting } from './snapshot-encryption.js';
import { stagingRoot } from '../core/staging.js';
import { manifestTables } from '../backup/manifest-tables.js';
import type { Repository } from '../storage/index.js';
import { resolveBackup } from './source.js';
import { isSingleBackup } from '../storage/single-backup.js';
import { describeThaw, thawPlan, thawSummary, type ThawPlan } from '../backup/thaw.js';
import { adminTarget, databaseExists, otherSessions, type Session } from './target-db.js';
import { incompleteMark } from './incomplete-mark.js';
import { pgOptions, restoreSessionSettings, toastLz4 } from './pg-restore.js';
import type { PlanStep, RestoreOptions, RestorePlan } from './types.js';

/** Everything the restore decided before changing anything; the dry run prints `plan`. */
export interface PreparedRestore {
  plan: RestorePlan;
  options: RestoreOptions;
  repo: Repository;
  manifest: BackupManifest;
  /** The database restored into. */
  into: DbTarget;
  pgRestore: ToolInfo;
  psql: ToolInfo;
  sessions: Session[];
  settings: Record<string, string>;
  /** How the safety snapshot is encrypted (in place with --clean). */
  snapshotEncryption?: EncryptionOption;
  /** Archive files S3 must restore from GLACIER / DEEP_ARCHIVE first. */
  thaw?: ThawPlan;
}

export function defaultNewDbName(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 12);
  return `${database.slice(0, 40)}_restored_${stamp}`;
}

/** Checks the options against the backup and the server (reading only) and lays out each step. Changes nothing. */
export async function planRestore(options: RestoreOptions, warn?: (line: string) => void): Promise<PreparedRestore> {
  const what: RestorePlan['what'] = options.rows
    ? 'rows'
    : options.tables?.length
      ? 'tables'
      : options.schemaOnly
        ? 'schema'
        : 'full';
  const mode = options.rows ? 'in-place' : (options.mode ?? 'new-db');
  checkCombination(options, what, mode);
  const { repo, manifest } = await resolveBackup(options.repo, options.ref, options.target.database, warn);
  const thaw = await thawPlan(repo, manifest, options.archive);
  if (options.intoSupabase && !manifest.supabase) {
    throw new UsageError(
      `Backup ${manifest.id} was not taken with --supabase.`,
      'Restore it without --into-supabase, or take a --supabase backup of the project.',
    );
  }
  const { major: serverMajor, lz4 } = await withClient(adminTarget(options.target), async (c) => ({
    ...(await serverInfo(c)),
    lz4: await toastLz4(c),
  }));
  // pg_restore must read the archive (as new as its pg_dump) and talk to the server.
  const pgRestore = await toolFor('pg_restore', Math.max(serverMajor, manifest.server.major));
  const psql = await toolFor('psql', serverMajor);
  const database =
    mode === 'new-db'
      ? (options.newDb ?? defaultNewDbName(options.target.database, options.now ?? new Date()))
      : options.target.database;
  if (mode === 'new-db') checkNewDatabaseName(database);
  const into = withDatabase(options.target, database);
  const exists = await databaseExists(options.target, database);
  const unfinished = mode === 'new-db' && exists ? await incompleteMark(options.target, database) : undefined;
  if (unfinished) {
    throw new PgdrError(`Database ${database} is an earlier restore that never finished (${unfinished}).`, {
      hint: `Drop it and restore again: DROP DATABASE ${quoteIdent(database)}; or pick another name with --new-db NAME.`,
      exitCode: 2,
    });
  }
  if (mode === 'new-db' && exists) {
    throw new PgdrError(
      `Database ${database} already exists; a restore into a new database never touches an existing one.`,
      {
        hint: `Pick another name with --new-db NAME, or restore over it with --clean --confirm ${database}.`,
        exitCode: 2,
      },
    );
  }
  if (mode === 'in-place' && !exists)
    throw new PgdrError(`Database ${database} does not exist on ${options.target.display}.`, {
      hint: 'Restore into a new database instead (drop --clean).',
      exitCode: 2,
    });
  const destructive = mode === 'in-place' && (options.clean || options.onConflict === 'overwrite');
  if (destructive && options.confirm !== database) {
    throw new UsageError(
      options.confirm === undefined
        ? `Restoring over ${database} destroys its current contents and needs confirmation.`
        : `--confirm ${options.confirm} does not match the target database ${database}.`,
      `Pass --confirm ${database} (or type the name when asked on a terminal); --yes alone never destroys data.`,
    );
  }
  if (mode === 'in-place' && options.clean && options.safetySnapshot !== false && !options.repo && isSingleBackup(repo))
    throw new UsageError(
      `The safety snapshot of ${database} needs a repository to go into; ${repo.url} is a lone backup directory.`,
      `Pass --repo DIR|s3://bucket/prefix for the snapshot (or --no-safety-snapshot).`,
    );
  const snapshotEncryption =
    mode === 'in-place' && options.clean && options.safetySnapshot !== false
      ? protecting(options, manifest)
      : undefined;
  const sessions = mode === 'in-place' && options.clean ? await otherSessions(into) : [];
  const jobs =
    what === 'rows' || options.intoSupabase ? 1 : Math.max(1, options.jobs ?? Math.min(4, availableParallelism()));
  const source: RestorePlan['source'] =
    manifest.format === 'directory' ? 'directory' : jobs > 1 ? 'materialize' : 'stream';
  const settings = {
    ...restoreSessionSettings({ lz4 }),
    ...(options.intoSupabase ? { session_replication_role: 'replica' } : {}),
  };
  const tables = manifestTables(manifest);
  const plan: RestorePlan = {
    backup: {
      id: manifest.id,
      database: manifest.database,
      snapshotTime: manifest.snapshotTime,
      kind: manifest.kind,
      format: manifest.format,
      bytes: manifest.bytes,
      supabase: manifest.supabase,
      encrypted: Boolean(manifest.encryption),
      tables: tables.length,
    },
    what,
    database,
    mode,
    jobs,
    source,
    creates: mode === 'new-db' ? [`database ${database}`] : [],
    drops:
      mode === 'in-place' && options.clean
        ? what === 'tables'
          ? options.tables!.map((t) => `table ${t} (and what depends on it)`)
          : [
              `every schema, table, view, sequence, function and type of the backup in ${database}, and what depends on them`,
            ]
        : [],
    overwrites:
      what === 'rows'
        ? [
            `rows of ${options.rows!.table} matching ${options.rows!.where}${options.onConflict === 'overwrite' ? ' (replaced when present)' : ' (only missing ones are added)'}`,
          ]
        : [],
    sessions: sessions.map(({ pid, user, application, client }) => ({ pid, user, application, client })),
    ...(thaw ? { archived: thawSummary(thaw) } : {}),
    steps: [],
  };
  plan.steps = [
    ...(thaw ? [{ title: describeThaw(thaw, options.archive?.days ?? 2) }] : []),
    ...describeSteps({ plan, manifest, repo, into, options, pgRestore, settings, snapshotEncryption }),
  ];
  return { plan, options, repo, manifest, into, pgRestore, psql, sessions, settings, snapshotEncryption, thaw };
}

/** PostgreSQL would silently cut a longer name, and a control character has no place in one. */
function checkNewDatabaseName(name: string): void {
  if (name === '' || Buffer.byteLength(name) > 63 || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageError(
      `"${printable(name)}" cannot be the name of a new database.`,
      'Give --new-db a name of at most 63 bytes without control characters, e.g. app_restored.',
    );
}

function checkCombination(o: RestoreOptions, what: RestorePlan['what'], mode: string): void {
  const chosen = [
    o.rows && '--rows',
    o.tables?.length && '--table',
    o.schemaOnly && '--schema-only',
    o.intoSupabase && '--into-supabase',
  ].filter(Boolean);
  if (chosen.length > 1)
    throw new UsageError(`${chosen.join(' and ')} cannot be combined.`, 'Restore one way at a time.');
  if (o.rows && (o.clean || (o.mode === 'new-db' && o.newDb)))
    throw new UsageError('--rows copies rows into the --db database; it cannot be combined with --clean or --new-db.');
  if (mode === 'new-db' && o.clean)
    throw new UsageError('--clean restores in place; it cannot be combined with --new-db.');
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 64))
    throw new UsageError(`--jobs must be a whole number from 1 to 64.`);
  if (what === 'rows' && o.onConflict && o.onConflict !== 'skip' && o.onConflict !== 'overwrite')
    throw new UsageError(`--on-conflict must be skip or overwrite.`);
}

function describeSteps(x: {
  plan: RestorePlan;
  manifest: BackupManifest;
  repo: Repository;
  into: DbTarget;
  options: RestoreOptions;
  pgRestore: ToolInfo;
  settings: Record<string, string>;
  snapshotEncryption?: EncryptionOption;
}): PlanStep[] {
  const { plan, manifest, options } = x;
  const db = quoteIdent(plan.database);
  const files = manifest.files.length + (manifest.extras?.length ?? 0);
  const steps: PlanStep[] = [
    {
      title: `Check backup ${manifest.id}: sha256 of ${files} file(s)${manifest.encryption ? ', decryption' : ''}, table of contents`,
      command: `${x.pgRestore.path} --list`,
      detail: `from ${x.repo.url}; ${sourceDetail(plan, manifest)}`,
    },
  ];
  if (plan.mode === 'in-place' && options.clean && options.safetySnapshot !== false)
    steps.push({
      title: `Safety snapshot of ${plan.database} into ${(options.repo ?? x.repo).url}${x.snapshotEncryption ? `, encrypted ${'passphrase' in x.snapshotEncryption ? 'with a passphrase' : `to ${x.snapshotEncryption.recipients.length} recipient(s)`}` : ''}`,
      command: 'pgdr backup (pg_dump --format=custom | zstd)',
    });
  if (plan.mode === 'in-place' && options.clean) {
    steps.push({
      title: `Terminate ${plan.sessions.length} other session(s) on ${plan.database} and block new connections`,
      command: `select pg_terminate_backend(pid) …; alter database ${db} connection limit …`,
    });
  }
  const pgOpts = `PGOPTIONS='${pgOptions(x.settings)}'`;
  if (plan.what === 'rows') {
    const scratch = 'pgdr_rows_<pid> (scratch)';
    steps.push(
      { title: `Create scratch database ${scratch}`, command: 'create database …' },
      {
        title: `Restore ${options.rows!.table} into the scratch database`,
        command: `${pgOpts} ${x.pgRestore.path} --use-list=<table's entries> --exit-on-error --dbname=<scratch>`,
      },
      {
        title: `Copy rows matching "${options.rows!.where}" into ${plan.database} in one transaction (on conflict ${options.onConflict ?? 'skip'})`,
        command: `psql -c "copy (select … where ${options.rows!.where}) to stdout" | psql -c begin -c "\\copy pgdr_rows from pstdin" -c "insert … on conflict …" -c commit`,
      },
      { title: 'Drop the scratch database', command: 'drop database … with (force)' },
    );
    return steps;
  }
  if (plan.mode === 'new-db')
    steps.push({ title: `Create database ${plan.database}`, command: `create database ${db}` });
  if (options.intoSupabase)
    steps.push({
      title: "Create the project's roles (reserved roles were left out at backup time)",
      command: `psql -v ON_ERROR_STOP=1 -f roles.sql`,
    });
  if (plan.mode === 'in-place' && options.clean)
    steps.push({
      title: `Drop the backup's ${plan.what === 'tables' ? 'tables' : 'schemas, tables, views, sequences, functions and types'} in ${plan.database} (cascade, one transaction)`,
      command: 'drop … if exists … cascade',
    });
  const args = [
    ...pgRestoreArgs(
      plan,
      options,
      plan.what === 'tables' || options.intoSupabase || (manifest.kind === 'tables' && plan.mode === 'new-db')
        ? '<selected entries>'
        : undefined,
    ),
    plan.source === 'stream' ? '(archive on stdin)' : '<archive>',
  ];
  steps.push({
    title: `Restore ${plan.what === 'full' ? 'everything' : plan.what === 'schema' ? 'the schema only' : `tables ${options.tables!.join(', ')}`} into ${plan.database}`,
    command: `${pgOpts} ${x.pgRestore.path} ${args.join(' ')}`,
  });
  if (plan.what !== 'schema')
    steps.push(
      { title: `ANALYZE ${plan.database} (${plan.jobs} session(s))` },
      {
        title: `Compare row counts with the manifest (${plan.what === 'full' ? plan.backup.tables : options.tables!.length}+ tables)`,
      },
    );
  if (!options.intoSupabase)
    steps.push(
      plan.mode === 'new-db'
        ? {
            title: `Give ${plan.database} the source database's settings, privileges, comment and owner (where the role exists), as the archive records them`,
            command: `alter database ${db} set …; grant/revoke … on database ${db}; comment on database ${db} is …; alter database ${db} owner to …`,
          }
        : {
            title: `List the source database's settings the archive records, without applying them: ${plan.database} keeps its own`,
          },
    );
  if (plan.mode === 'in-place' && options.clean) steps.push({ title: `Allow connections to ${plan.database} again` });
  return steps;
}

/** Where the archive's plaintext goes: a parallel restore needs a file, one job reads a stream. */
function sourceDetail(plan: RestorePlan, manifest: BackupManifest): string {
  if (plan.source === 'stream') return 'streamed into pg_restore: no plaintext on disk';
  if (plan.source === 'directory')
    return `directory format, downloaded into a private staging directory (${stagingRoot()})`;
  const offsets = manifest.dataOffsets
    ? ', with the data offsets the backup noted (pg_restore seeks to each table, largest first)'
    : '';
  return `decrypted and decompressed for ${plan.jobs} parallel jobs into a file in a private staging directory under ${stagingRoot()} (0700, the file 0600), removed when the restore ends, and by the next pgdr if this one is killed${offsets}; --jobs 1 streams instead, with no plaintext on disk`;
}

/** pg_restore's arguments for the main restore, without the archive (a path, or stdin). */
export function pgRestoreArgs(plan: RestorePlan, options: RestoreOptions, listFile?: string): string[] {
  return [
    ...(plan.mode === 'in-place' && options.clean ? ['--clean', '--if-exists'] : []),
    ...(plan.what === 'schema' ? ['--schema-only'] : []),
    ...(listFile ? [`--use-list=${listFile}`] : []),
    ...(options.intoSupabase ? ['--single-transaction'] : []),
    '--exit-on-error',
    // Its progress lines tell pgdr which tables are loaded, so they are checked while the rest restores.
    '--verbose',
    ...(plan.jobs > 1 && plan.source !== 'stream' ? [`--jobs=${plan.jobs}`] : []),
    `--dbname=${conninfoDatabase(plan.database)}`,
  ];
}
