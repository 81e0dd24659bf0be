import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { hostname } from 'node:os';
import type { OperationContext } from '../core/context.js';
import { Aborted, PgdrError, UsageError } from '../core/errors.js';
import { formatBytes } from '../core/format-bytes.js';
import { startProcess, type ProcessFailed } from '../core/system.js';
import { connect, serverInfo } from '../pg/client.js';
import { libpqEnv, type DbTarget } from '../pg/connection.js';
import { toolFor } from '../pg/tools.js';
import { SUPABASE_EXCLUDED_SCHEMAS } from '../pg/supabase.js';
import type { Repository } from '../storage/index.js';
import { createEncryptStream, parseRecipient } from '../crypto/index.js';
import type { EncryptionOption } from './archive.js';
import { backupDir, claimNewDir, isBackupOf, makeBackupId, safeName } from './backup-id.js';
import { compressStage, fileSuffix, HashStage, parseCompression, type CompressionChoice } from './compression.js';
import { pgDumpArgs } from './dump-args.js';
import { countRows, exportSnapshot, listTables, resolveTables } from './snapshot.js';
import {
  CHECKSUMS,
  MANIFEST,
  type BackupKind,
  type BackupManifest,
  type DumpFormat,
  type ManifestFile,
} from './manifest.js';
import { dumpDirectoryFormat } from './directory-format.js';
import { dumpSupabaseRoles } from './supabase-roles.js';
import { DataOffsetScanner } from './custom-archive.js';
import { operatorName, PGDR_VERSION } from '../core/identity.js';
import { lockedWrites } from '../storage/object-lock.js';
import { planLock, sealBackup, type LockOption } from './backup-lock.js';

export interface BackupOptions {
  target: DbTarget;
  repo: Repository;
  kind?: BackupKind;
  tables?: string[];
  format?: DumpFormat;
  jobs?: number;
  compression?: CompressionChoice;
  encryption?: EncryptionOption;
  supabase?: boolean;
  /** Nobody may delete the backup for this many days: S3 Object Lock, or a local backup sealed read-only/immutable. */
  lock?: LockOption;
}

export interface BackupResult {
  id: string;
  location: string;
  bytes: number;
  sha256: string;
  manifest: BackupManifest;
  /** Local repositories: how far the seal went. */
  sealed?: 'immutable' | 'read-only';
}

/**
 * pg_dump → (zstd) → (age) → sha256 → repository, streamed, with the manifest written last. Any failure removes
 * everything the backup wrote, so nothing half-made is ever listed.
 */
export async function takeBackup(options: BackupOptions, ctx: OperationContext): Promise<BackupResult> {
  const kind = options.kind ?? 'full';
  const format = options.format ?? 'custom';
  const compression = options.compression ?? parseCompression(undefined);
  if (format === 'directory' && options.encryption) {
    throw new UsageError(
      '--format directory cannot be combined with encryption.',
      'The directory format is written to disk by pg_dump itself, so plaintext would touch disk. Use the default custom format with --encrypt-to.',
    );
  }
  if (kind === 'tables' && !options.tables?.length) {
    throw new UsageError(
      'A tables backup needs at least one --table.',
      'pgdr backup tables --table public.orders --table public.users',
    );
  }
  // A key that cannot encrypt is known now: before a connection, a lock or a byte of pg_dump.
  if (options.encryption && 'recipients' in options.encryption) options.encryption.recipients.forEach(parseRecipient);
  const started = new Date();
  const retention = await planLock(options.repo, options.lock, started);
  options = { ...options, repo: lockedWrites(options.repo, retention?.request) };
  const client = await connect(options.target, { applicationName: 'pgdr backup' });
  let lock: { release(): Promise<void> } | undefined;
  let id: string | undefined;
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const server = await serverInfo(client);
    const pgDump = await toolFor('pg_dump', server.major);
    const databaseBytes = Number(
      (await client.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n,
    );
    lock = await options.repo.lock(`locks/backup-${safeName(options.target.database)}`);
    // With the lock held no other backup of this database runs: an open upload of one is a killed backup's leftover.
    const leftovers = await options.repo
      .abortUploads?.('backups/', (key) => isBackupOf(key.split('/')[1] ?? '', options.target.database))
      .catch(
        (error: Error) =>
          void ctx.log.debug(`Could not look for unfinished uploads (the key may not list them): ${error.message}`),
      );
    if (leftovers?.length)
      ctx.log.info(
        `Removed ${leftovers.length} unfinished upload(s) an interrupted backup of ${options.target.database} left: ${leftovers.join(', ')}.`,
      );
    id = await claimBackupId(options.repo, kind, options.target.database, started);
    const excludedSchemas = options.supabase ? [...SUPABASE_EXCLUDED_SCHEMAS] : [];
    const snapshot = await exportSnapshot(client);
    const tables =
      kind === 'tables'
        ? await resolveTables(client, options.tables!)
        : kind === 'full'
          ? await listTables(client, excludedSchemas)
          : [];
    ctx.log.info(
      `Backing up ${options.target.display} (${kind}, ${formatBytes(databaseBytes)} on disk) to ${options.repo.url}/${backupDir(id)}`,
    );

    const counting = kind === 'schema' ? Promise.resolve([]) : countRows(client, tables, abort.signal);
    const dumpArgs = { kind, format, snapshot: snapshot.id, compression, tables, excludedSchemas, jobs: options.jobs };
    const env = libpqEnv(options.target);
    const custom =
      format === 'custom'
        ? await dumpCustomFormat(
            { ...options, id, pgDumpPath: pgDump.path, args: pgDumpArgs(dumpArgs), env, compression, databaseBytes },
            ctx,
            abort.signal,
          )
        : undefined;
    const files: ManifestFile[] = custom
      ? [custom.file]
      : await dumpDirectoryFormat(
          { repo: options.repo, id, pgDumpPath: pgDump.path, dumpArgs, env, databaseBytes },
          ctx,
          abort.signal,
        );
    const tableRows = await counting;
    const extras: ManifestFile[] = [];
    if (options.supabase) {
      const pgDumpAll = await toolFor('pg_dumpall', server.major);
      extras.push(
        await dumpSupabaseRoles(
          { repo: options.repo, id, toolPath: pgDumpAll.path, env, encryption: options.encryption },
          abort.signal,
        ),
      );
    }
    await client.query('commit');
    const finished = new Date();
    const manifest: BackupManifest = {
      formatVersion: 2,
      id,
      kind,
      database: options.target.database,
      source: options.target.display,
      snapshotTime: snapshot.time.toISOString(),
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      server: { version: server.version, major: server.major },
      tools: { pg_dump: pgDump.version },
      pgdrVersion: PGDR_VERSION,
      format,
      compression:
        format === 'custom'
          ? {
              dump: compression.method === 'gzip' ? `gzip:${compression.level}` : 'none',
              stream: compression.method === 'zstd' ? `zstd:${compression.level}` : 'none',
            }
          : { dump: compression.method === 'none' ? 'none' : `gzip:${compression.level}`, stream: 'none' },
      encryption: encryptionRecord(options.encryption),
      ...(kind === 'tables' ? { tables: tables.map((t) => `${t.schema}.${t.name}`) } : {}),
      ...(options.supabase ? { supabase: true, excludedSchemas } : {}),
      bytes: [...files, ...extras].reduce((sum, f) => sum + f.bytes, 0),
      databaseBytes,
      files,
      tableRows,
      ...(custom?.dataOffsets ? { dataOffsets: custom.dataOffsets } : {}),
      ...(extras.length ? { extras } : {}),
      host: hostname(),
      operator: operatorName(),
      ...(retention ? { lock: retention.record } : {}),
    };
    const sums = [...files, ...extras].map((f) => `${f.sha256}  ${f.path}\n`).join('');
    await options.repo.writeFile(`${backupDir(id)}${CHECKSUMS}`, sums);
    await options.repo.writeFile(`${backupDir(id)}${MANIFEST}`, JSON.stringify(manifest, null, 2) + '\n');
    const sealed = retention ? await sealBackup(options.repo, manifest) : undefined;
    return {
      id,
      location: `${options.repo.url}/${backupDir(id)}`,
      bytes: manifest.bytes,
      sha256: files[0]!.sha256,
      manifest,
      ...(sealed ? { sealed } : {}),
    };
  } catch (error) {
    abort.abort();
    await client.query('rollback').catch(() => {});
    if (id && lock) await options.repo.removePrefix(backupDir(id)).catch(() => {});
    if (ctx.signal.aborted)
      throw new Aborted('Backup interrupted; its partial files were removed and nothing was listed.');
    // Refusals (bad table name, lock held) happen before anything is written and speak for themselves.
    if (error instanceof PgdrError && (!id || error.exitCode === 2 || error.name === 'BackupLocked')) throw error;
    const hint = error instanceof PgdrError && error.hint ? `${error.hint} ` : '';
    throw new PgdrError(`Backup failed: ${(error as Error).message}`, {
      hint: `${hint}Nothing was kept: the partial backup was removed. Fix the cause and run the backup again.`,
      cause: error,
    });
  } finally {
    ctx.signal.removeEventListener('abort', onOuterAbort);
    await lock?.release().catch(() => {});
    await client.end().catch(() => {});
  }
}

/** What a manifest says about the encryption: the recipients' public keys, never a passphrase. */
export function encryptionRecord(option: EncryptionOption | undefined): BackupManifest['encryption'] {
  if (!option) return null;
  return {
    format: 'age',
    recipients: 'recipients' in option ? option.recipients : [],
    passphrase: 'passphrase' in option,
  };
}

/** A new, empty directory for the backup (see claimNewDir: an existing one is never reused). */
async function claimBackupId(repo: Repository, kind: BackupKind, database: string, at: Date): Promise<string> {
  return claimNewDir(repo, at, (time) => makeBackupId(kind, database, time), backupDir);
}

interface CustomDumpInput extends BackupOptions {
  id: string;
  pgDumpPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  compression: CompressionChoice;
  databaseBytes: number;
}

async function dumpCustomFormat(
  input: CustomDumpInput,
  ctx: OperationContext,
  signal: AbortSignal,
): Promise<{ file: ManifestFile; dataOffsets?: Record<string, number> }> {
  const path = `data.dump${fileSuffix(input.compression)}${input.encryption ? '.age' : ''}`;
  const dump = startProcess(input.pgDumpPath, input.args, {
    env: input.env,
    stdout: 'pipe',
    signal,
    onStderrLine: (l) => ctx.log.debug(l),
  });
  let dumped = 0;
  const scanner = new DataOffsetScanner();
  dump.stdout!.on('data', (chunk: Buffer) => {
    scanner.feed(chunk);
    dumped += chunk.length;
    ctx.progress({ label: 'dump', done: dumped, total: input.databaseBytes, unit: 'bytes' });
  });
  const hash = new HashStage();
  const stages = [
    dump.stdout!,
    compressStage(input.compression, signal),
    ...(input.encryption ? [createEncryptStream(input.encryption)] : []),
    hash,
  ] as const;
  const flowing = pipeline(stages as unknown as [Readable, ...NodeJS.ReadWriteStream[]]);
  const stored = input.repo.putStream(`${backupDir(input.id)}${path}`, hash, { signal, sizeHint: input.databaseBytes });
  const results = await Promise.allSettled([dump.done, flowing, stored]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // pg_dump's own message names the cause, unless pg_dump only died of the broken pipe (storage failed first).
    const dumpFailure = results[0].status === 'rejected' ? (results[0].reason as ProcessFailed) : undefined;
    const downstream = [results[2], results[1]].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const brokenPipe =
      dumpFailure &&
      (dumpFailure.signalName === 'SIGPIPE' || /could not write to output file/.test(dumpFailure.stderr ?? ''));
    throw dumpFailure && !(brokenPipe && downstream) ? dumpFailure : (downstream ?? failed).reason;
  }
  return { file: { path, bytes: hash.bytes, sha256: hash.digest() }, dataOffsets: scanner.offsets() };
}

export { formatBytes } from '../core/format-bytes.js';
