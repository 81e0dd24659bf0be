import { pipeThrough } from '../core/streams.js';
import type { OperationContext } from '../core/context.js';
import { isPgdrError, PgdrError } from '../core/errors.js';
import { startProcess } from '../core/system.js';
import { makeStagingDir } from '../core/staging.js';
import { withClient, quoteIdent } from '../pg/client.js';
import { conninfoDatabase, libpqEnv, withDatabase, type DbTarget } from '../pg/connection.js';
import { toolFor } from '../pg/tools.js';
import type { Repository } from '../storage/index.js';
import { backupDir } from './backup-id.js';
import { findBackup, type CatalogEntry } from './catalog.js';
import {
  checkPlaintext,
  checkStoredFile,
  downloadDirectory,
  openStored,
  plaintextStages,
  requireKeys,
  type ArchiveKeys,
} from './archive.js';
import { VERIFICATION, type BackupManifest, type VerificationResult } from './manifest.js';
import { manifestTables } from './manifest-tables.js';
import { compareRowCounts, databaseTables } from './table-counts.js';

export interface VerifyOptions {
  repo: Repository;
  ref: string;
  keys?: ArchiveKeys;
  /** Restore into a scratch database created (and dropped) on this server, then compare every table's row count. */
  restoreTest?: { server: DbTarget };
}

/** Checksums, decryption, the archive's table of contents and, with a restore test, the data itself. */
export async function verifyBackup(options: VerifyOptions, ctx: OperationContext): Promise<VerificationResult> {
  const { manifest } = await findBackup(options.repo, options.ref, { warn: (line) => ctx.log.warn(line) });
  const keys = options.keys ?? {};
  // A restore test reads the data, so it needs the key; say so before anything runs.
  if (options.restoreTest) requireKeys(manifest, keys);
  const result: VerificationResult = {
    backupId: manifest.id,
    verifiedAt: new Date().toISOString(),
    ok: false,
    checksum: 'ok',
    errors: [],
  };
  const fail = (message: string) => result.errors.push(message);

  const all = [...manifest.files, ...(manifest.extras ?? [])];
  const total = all.reduce((s, f) => s + f.bytes, 0);
  let checked = 0;
  for (const file of all) {
    try {
      await checkStoredFile(options.repo, manifest, file, {
        signal: ctx.signal,
        onProgress: (n) => ctx.progress({ label: 'checksum', done: checked + n, total, unit: 'bytes' }),
      });
    } catch (error) {
      result.checksum = (await options.repo.stat(`${backupDir(manifest.id)}${file.path}`)) ? 'mismatch' : 'missing';
      fail(isPgdrError(error) ? error.message : `${file.path}: ${(error as Error).message}`);
    }
    checked += file.bytes;
  }

  const canRead = !manifest.encryption || Boolean(keys.identities?.length || keys.passphrase);
  if (result.checksum === 'ok' && manifest.format === 'custom' && canRead) {
    try {
      if (manifest.encryption) {
        await checkPlaintext(options.repo, manifest, manifest.files[0]!, keys, ctx.signal);
        result.decrypted = true;
      }
      await checkTableOfContents(options.repo, manifest, keys, ctx);
    } catch (error) {
      if (manifest.encryption) result.decrypted = false;
      fail(isPgdrError(error) ? error.message : `Archive unreadable: ${(error as Error).message}`);
    }
  } else if (manifest.encryption && !canRead) {
    ctx.log.warn('Encrypted backup and no --identity/--passphrase-env: checked the checksums only, not decryption.');
  }

  if (options.restoreTest && result.errors.length === 0) {
    try {
      result.restoreTest = await restoreTest({ manifest }, options.repo, keys, options.restoreTest.server, ctx);
      for (const m of result.restoreTest.mismatches)
        fail(`${m.table}: expected ${m.expected} rows, restored ${m.actual ?? 'none (table missing)'}`);
    } catch (error) {
      fail(`Restore test failed: ${isPgdrError(error) ? error.message : (error as Error).message}`);
    }
  }
  result.ok = result.errors.length === 0;
  await options.repo.writeFile(`${backupDir(manifest.id)}${VERIFICATION}`, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/** `pg_restore --list` over the plaintext stream: the archive's header and table of contents parse. */
async function checkTableOfContents(
  repo: Repository,
  manifest: BackupManifest,
  keys: ArchiveKeys,
  ctx: OperationContext,
): Promise<void> {
  const pgRestore = await toolFor('pg_restore', manifest.server.major);
  const abort = new AbortController();
  // Opened before pg_restore starts: a missing file must not leave it waiting on its input for ever.
  const source = await openStored(repo, manifest, manifest.files[0]!, { signal: abort.signal });
  const proc = startProcess(pgRestore.path, ['--list'], { stdin: 'pipe', stdout: 'ignore', signal: ctx.signal });
  // pg_restore stops reading after the TOC; the broken pipe that follows is expected.
  pipeThrough(source, plaintextStages(manifest, keys, abort.signal), proc.stdin!).catch(() => {});
  try {
    await proc.done;
  } catch (error) {
    throw new PgdrError(`Backup ${manifest.id}: pg_restore cannot read the archive's table of contents.`, {
      hint: 'The archive is damaged or not a pg_dump custom-format file. Use an older backup.',
      cause: error,
    });
  } finally {
    abort.abort();
    source.destroy();
  }
}

async function restoreTest(
  entry: Pick<CatalogEntry, 'manifest'>,
  repo: Repository,
  keys: ArchiveKeys,
  server: DbTarget,
  ctx: OperationContext,
): Promise<NonNullable<VerificationResult['restoreTest']>> {
  const { manifest } = entry;
  const started = Date.now();
  const scratchName = `pgdr_verify_${manifest.id.slice(0, 15).toLowerCase()}_${process.pid}`;
  const scratch = withDatabase(server, scratchName);
  const pgRestore = await toolFor('pg_restore', manifest.server.major);
  await withClient(server, (c) => c.query(`create database ${quoteIdent(scratchName)}`));
  ctx.log.info(`Restore test into scratch database ${scratchName}`);
  // The archive passed its checksum pass before: what follows is the restore (for whoever times its phases).
  ctx.stage?.('checked');
  try {
    const args = ['--no-owner', '--no-acl', '--no-password', `--dbname=${conninfoDatabase(scratchName)}`];
    const run = (extra: string[], stdin: 'pipe' | 'ignore') =>
      startProcess(pgRestore.path, [...args, ...extra], {
        env: libpqEnv(scratch),
        stdin,
        stdout: 'ignore',
        signal: ctx.signal,
        endsWithPgdr: true,
        onStderrLine: (l) => ctx.log.debug(l),
      });
    let exited: PromiseSettledResult<void>;
    if (manifest.format === 'directory') {
      const staging = makeStagingDir('verify', (m) => ctx.log.warn(m));
      try {
        const data = await downloadDirectory(repo, manifest, staging.path, ctx.signal);
        exited = (await Promise.allSettled([run(['--jobs=2', data], 'ignore').done]))[0];
      } finally {
        staging.remove();
      }
    } else {
      const source = await openStored(repo, manifest, manifest.files[0]!, { signal: ctx.signal });
      const stages = plaintextStages(manifest, keys, ctx.signal);
      const proc = run([], 'pipe');
      let restored = 0;
      source.on('data', (c: Buffer) =>
        ctx.progress({
          label: 'restore test',
          done: (restored += c.length),
          total: manifest.files[0]!.bytes,
          unit: 'bytes',
        }),
      );
      const feeding = pipeThrough(source, stages, proc.stdin!);
      const [fed, done] = await Promise.allSettled([feeding, proc.done]);
      if (fed.status === 'rejected' && done.status === 'fulfilled') throw fed.reason;
      exited = done;
    }
    ctx.stage?.('loaded');
    // Objects that need roles or extensions the scratch server lacks fail here; the row counts below are the verdict.
    if (exited.status === 'rejected')
      ctx.log.warn(
        `pg_restore reported errors: ${String((exited.reason as Error).message)
          .split('\n')
          .slice(-3)
          .join(' | ')}`,
      );
    const tables = manifestTables(manifest, await databaseTables(scratch));
    const mismatches = (await compareRowCounts(scratch, tables))
      .filter((t) => !t.ok)
      .map(({ table, expected, actual }) => ({ table, expected, actual }));
    return await withClient(scratch, async (c) => {
      const one = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      const userNs = `not in ('pg_catalog','information_schema') and n.nspname not like 'pg\\_%'`;
      return {
        scratchDatabase: scratchName,
        tablesChecked: tables.length,
        mismatches,
        objects: {
          policies: await one('select count(*) as n from pg_policies'),
          indexes: await one(
            `select count(*) as n from pg_indexes where schemaname not in ('pg_catalog','information_schema')`,
          ),
          functions: await one(
            `select count(*) as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${userNs}`,
          ),
          extensions: (await c.query<{ e: string }>(`select extname as e from pg_extension order by 1`)).rows.map(
            (r) => r.e,
          ),
          triggers: await one('select count(*) as n from pg_trigger where not tgisinternal'),
          views: await one(
            `select count(*) as n from pg_views where schemaname not in ('pg_catalog','information_schema')`,
          ),
        },
        durationMs: Date.now() - started,
      };
    });
  } finally {
    await withClient(server, (c) => c.query(`drop database if exists ${quoteIdent(scratchName)} with (force)`)).catch(
      (e) => ctx.log.warn(`Could not drop scratch database ${scratchName}: ${(e as Error).message}`),
    );
  }
}
