import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.js';
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
import type { PlanStep, RestorePlan } from './types.js';
import {
  cleans,
  contentOf,
  destroysData,
  restoreMode,
  takesSafetySnapshot,
  type BackupRestoreRequest,
} from './request.js';

/** Everything the restore decided before changing anything; the dry run prints `plan`. */

/** The jobs a restore runs with when none are given: one a core, four at the most. */
export const defaultJobs = (): number => Math.min(4, availableParallelism());

/** How the archive reaches pg_restore: a directory backup as it is, else staged for parallel jobs or streamed. */
export function archiveSource(manifest: Pick<BackupManifest, 'format'>, jobs: number): RestorePlan['source'] {
  return manifest.format === 'directory' ? 'directory' : jobs > 1 ? 'materialize' : 'stream';
}

export interface PreparedRestore {
  plan: RestorePlan;
  request: BackupRestoreRequest;
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

/** Checks the request against the backup and the server (reading only) and lays out each step. Changes nothing. */
export async function planRestore(
  request: BackupRestoreRequest,
  warn?: (line: string) => void,
): Promise<PreparedRestore> {
  const content = contentOf(request);
  const what = content.what;
  const mode = restoreMode(request);
  const server = request.target;
  if (request.jobs !== undefined && (!Number.isInteger(request.jobs) || request.jobs < 1 || request.jobs > 64))
    throw new UsageError(`--jobs must be a whole number from 1 to 64.`);
  const { repo, manifest } = await resolveBackup(request.repo, request.ref, server.database, warn);
  const thaw = await thawPlan(repo, manifest, request.archive);
  if (request.into === 'supabase' && !manifest.supabase) {
    throw new UsageError(
      `Backup ${manifest.id} was not taken with --supabase.`,
      'Restore it without --into-supabase, or take a --supabase backup of the project.',
    );
  }
  const { major: serverMajor, lz4 } = await withClient(adminTarget(server), async (c) => ({
    ...(await serverInfo(c)),
    lz4: await toastLz4(c),
  }));
  // pg_restore must read the archive (as new as its pg_dump) and talk to the server.
  const pgRestore = await toolFor('pg_restore', Math.max(serverMajor, manifest.server.major));
  const psql = await toolFor('psql', serverMajor);
  const named = request.into === 'in-place' ? undefined : request.database;
  const database =
    mode === 'new-db' ? (named ?? defaultNewDbName(server.database, request.now ?? new Date())) : server.database;
  if (mode === 'new-db') checkNewDatabaseName(database);
  const into = withDatabase(server, database);
  const exists = await databaseExists(server, database);
  const unfinished = mode === 'new-db' && exists ? await incompleteMark(server, database) : undefined;
  if (unfinished) {
    throw new UsageError(`Database ${database} is an earlier restore that never finished (${unfinished}).`, {
      hint: `Drop it and restore again: DROP DATABASE ${quoteIdent(database)}; or pick another name with --new-db NAME.`,
    });
  }
  if (mode === 'new-db' && exists) {
    throw new UsageError(
      `Database ${database} already exists; a restore into a new database never touches an existing one.`,
      `Pick another name with --new-db NAME, or restore over it with --clean --confirm ${database}.`,
    );
  }
  if (mode === 'in-place' && !exists)
    throw new UsageError(
      `Database ${database} does not exist on ${server.display}.`,
      'Restore into a new database instead (drop --clean).',
    );
  if (destroysData(request) && request.confirm !== database) {
    throw new UsageError(
      request.confirm === undefined
        ? `Restoring over ${database} destroys its current contents and needs confirmation.`
        : `--confirm ${request.confirm} does not match the target database ${database}.`,
      `Pass --confirm ${database} (or type the name when asked on a terminal); --yes alone never destroys data.`,
    );
  }
  const snapshot = takesSafetySnapshot(request);
  if (snapshot && !request.repo && isSingleBackup(repo))
    throw new UsageError(
      `The safety snapshot of ${database} needs a repository to go into; ${repo.url} is a lone backup directory.`,
      `Pass --repo DIR|s3://bucket/prefix for the snapshot (or --no-safety-snapshot).`,
    );
  const snapshotEncryption = snapshot ? protecting(request, manifest) : undefined;
  const sessions = cleans(request) ? await otherSessions(into) : [];
  const jobs = what === 'rows' || request.into === 'supabase' ? 1 : Math.max(1, request.jobs ?? defaultJobs());
  const source = archiveSource(manifest, jobs);
  const settings = {
    ...restoreSessionSettings({ lz4 }),
    ...(request.into === 'supabase' ? { session_replication_role: 'replica' } : {}),
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
    // Into a database it creates the restore starts at once (dropping it if the check fails); anything else waits.
    checksum: mode === 'new-db' && what !== 'rows' ? 'alongside' : 'first',
    creates: mode === 'new-db' ? [`database ${database}`] : [],
    drops: cleans(request)
      ? content.what === 'tables'
        ? content.tables.map((t) => `table ${t} (and what depends on it)`)
        : [
            `every schema, table, view, sequence, function and type of the backup in ${database}, and what depends on them`,
          ]
      : [],
    overwrites:
      content.what === 'rows'
        ? [
            `rows of ${content.table} matching ${content.where}${content.onConflict === 'overwrite' ? ' (replaced when present)' : ' (only missing ones are added)'}`,
          ]
        : [],
    sessions: sessions.map(({ pid, user, application, client }) => ({ pid, user, application, client })),
    ...(thaw ? { archived: thawSummary(thaw) } : {}),
    steps: [],
  };
  plan.steps = [
    ...(thaw ? [{ title: describeThaw(thaw, request.archive?.days ?? 2) }] : []),
    ...describeSteps({ plan, manifest, repo, request, pgRestore, settings, snapshotEncryption }),
  ];
  return { plan, request, repo, manifest, into, pgRestore, psql, sessions, settings, snapshotEncryption, thaw };
}

/** PostgreSQL would silently cut a longer name, and a control character has no place in one. */
function checkNewDatabaseName(name: string): void {
  if (name === '' || Buffer.byteLength(name) > 63 || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageError(
      `"${printable(name)}" cannot be the name of a new database.`,
      'Give --new-db a name of at most 63 bytes without control characters, e.g. app_restored.',
    );
}

function describeSteps(x: {
  plan: RestorePlan;
  manifest: BackupManifest;
  repo: Repository;
  request: BackupRestoreRequest;
  pgRestore: ToolInfo;
  settings: Record<string, string>;
  snapshotEncryption?: EncryptionOption;
}): PlanStep[] {
  const { plan, manifest, request } = x;
  const content = contentOf(request);
  const clean = cleans(request);
  const supabase = request.into === 'supabase';
  const db = quoteIdent(plan.database);
  const files = manifest.files.length + (manifest.extras?.length ?? 0);
  const steps: PlanStep[] = [
    {
      title: `Check backup ${manifest.id}: sha256 of ${files} file(s)${manifest.encryption ? ', decryption' : ''}, table of contents`,
      command: `${x.pgRestore.path} --list`,
      detail: `from ${x.repo.url}; ${sourceDetail(plan, manifest)}`,
    },
  ];
  if (takesSafetySnapshot(request))
    steps.push({
      title: `Safety snapshot of ${plan.database} into ${(request.repo ?? x.repo).url}${x.snapshotEncryption ? `, encrypted ${'passphrase' in x.snapshotEncryption ? 'with a passphrase' : `to ${x.snapshotEncryption.recipients.length} recipient(s)`}` : ''}`,
      command: 'pgdr backup (pg_dump --format=custom | zstd)',
    });
  if (clean) {
    steps.push({
      title: `Terminate ${plan.sessions.length} other session(s) on ${plan.database} and block new connections`,
      command: `select pg_terminate_backend(pid) …; alter database ${db} connection limit …`,
    });
  }
  const pgOpts = `PGOPTIONS='${pgOptions(x.settings)}'`;
  if (content.what === 'rows') {
    const scratch = 'pgdr_rows_<pid> (scratch)';
    steps.push(
      { title: `Create scratch database ${scratch}`, command: 'create database …' },
      {
        title: `Restore ${content.table} into the scratch database`,
        command: `${pgOpts} ${x.pgRestore.path} --use-list=<table's entries> --exit-on-error --dbname=<scratch>`,
      },
      {
        title: `Copy rows matching "${content.where}" into ${plan.database} in one transaction (on conflict ${content.onConflict})`,
        command: `psql -c "copy (select … where ${content.where}) to stdout" | psql -c begin -c "\\copy pgdr_rows from pstdin" -c "insert … on conflict …" -c commit`,
      },
      { title: 'Drop the scratch database', command: 'drop database … with (force)' },
    );
    return steps;
  }
  if (plan.mode === 'new-db')
    steps.push({ title: `Create database ${plan.database}`, command: `create database ${db}` });
  if (supabase)
    steps.push({
      title: "Create the project's roles (reserved roles were left out at backup time)",
      command: `psql -v ON_ERROR_STOP=1 -f roles.sql`,
    });
  if (clean)
    steps.push({
      title: `Drop the backup's ${content.what === 'tables' ? 'tables' : 'schemas, tables, views, sequences, functions and types'} in ${plan.database} (cascade, one transaction)`,
      command: 'drop … if exists … cascade',
    });
  const args = [
    ...pgRestoreArgs(
      plan,
      request,
      content.what === 'tables' || supabase || (manifest.kind === 'tables' && plan.mode === 'new-db')
        ? '<selected entries>'
        : undefined,
    ),
    plan.source === 'stream' ? '(archive on stdin)' : '<archive>',
  ];
  steps.push({
    title: `Restore ${content.what === 'full' ? 'everything' : content.what === 'schema' ? 'the schema only' : `tables ${content.tables.join(', ')}`} into ${plan.database}`,
    command: `${pgOpts} ${x.pgRestore.path} ${args.join(' ')}`,
    detail: overlapDetail(plan, request, Boolean(manifest.dataOffsets)),
  });
  if (content.what !== 'schema')
    steps.push(
      { title: `ANALYZE ${plan.database} (${plan.jobs} session(s))` },
      {
        title: `Compare row counts with the manifest (${content.what === 'full' ? plan.backup.tables : content.tables.length}+ tables)${plan.mode === 'new-db' ? ": each from the new database's statistics counters where they agree exactly (rows inserted and live as the backup's, none updated, deleted or dead), else count(*)" : ': count(*) of each'}`,
      },
    );
  if (!supabase)
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
  if (clean) steps.push({ title: `Allow connections to ${plan.database} again` });
  return steps;
}

/** How the restore overlaps with the check and the staging of the archive, for the plan. */
function overlapDetail(plan: RestorePlan, request: BackupRestoreRequest, headFirst: boolean): string | undefined {
  if (plan.checksum === 'first') return undefined;
  if (plan.source === 'stream')
    return 'starts while the sha256 of the stored archive is checked alongside; a failed check stops it and drops the new database';
  if (plan.source !== 'materialize' || plan.what === 'schema') return undefined;
  if (request.into === 'new-db' && request.skipsWal)
    return `once the whole archive is staged and its sha256 matched, in one run (${plan.jobs} jobs) that creates and loads each table in one transaction, so that under wal_level=minimal its rows write no WAL; a failed check drops the new database`;
  // Without the backup's data offsets the end of the table of contents is not known until the whole file is staged.
  const when = headFirst ? 'as soon as the staged file holds the table of contents' : 'while it is checked';
  return `overlapped with the staging: the definitions (--section=pre-data) ${when}; the data, indexes and constraints (--section=data --section=post-data, ${plan.jobs} jobs, largest first) once the whole archive is staged and its sha256 matched; a failed check stops it and drops the new database`;
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
export function pgRestoreArgs(plan: RestorePlan, request: BackupRestoreRequest, listFile?: string): string[] {
  return [
    ...(cleans(request) ? ['--clean', '--if-exists'] : []),
    ...(plan.what === 'schema' ? ['--schema-only'] : []),
    ...(listFile ? [`--use-list=${listFile}`] : []),
    ...(request.into === 'supabase' ? ['--single-transaction'] : []),
    '--exit-on-error',
    // Its progress lines tell pgdr which tables are loaded, so they are checked while the rest restores.
    '--verbose',
    ...(plan.jobs > 1 && plan.source !== 'stream' ? [`--jobs=${plan.jobs}`] : []),
    `--dbname=${conninfoDatabase(plan.database)}`,
  ];
}
