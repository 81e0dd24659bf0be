import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OperationContext } from '../../core/context.js';
import { PgdrError } from '../../core/errors.js';
import { connect } from '../../pg/client.js';
import type { DbTarget } from '../../pg/connection.js';
import type { Repository } from '../../storage/index.js';
import { lockedWrites } from '../../storage/object-lock.js';
import { createEncryptStream } from '../../crypto/index.js';
import { exportRows } from '../../data/export-table.js';
import { tableInfo } from '../../data/table-info.js';
import { claimNewDir, safeName, timeStamp } from '../backup-id.js';
import { planLock, type LockOption } from '../backup-lock.js';
import { compressStage, HashStage, parseCompression } from '../compression.js';
import type { EncryptionOption } from '../archive.js';
import { encryptionRecord } from '../take-backup.js';
import { EXPORT_MANIFEST, type ExportManifest } from './export-manifest.js';

export interface ExportOptions {
  /** The export's name in the config (exports.<name>). */
  name: string;
  tables: string[];
  format: ExportManifest['format'];
  target: DbTarget;
  repo: Repository;
  encryption?: EncryptionOption;
  lock?: LockOption;
}

export const exportDir = (name: string, id: string) => `exports/${name}/${id}/`;

/**
 * The plans' weekly export: each named table as CSV, SQL or JSON, all read in one snapshot, streamed through zstd
 * (and age) into `exports/<name>/<id>/`, export.json written last. A failure removes what it wrote.
 */
export async function takeExport(options: ExportOptions, ctx: OperationContext): Promise<ExportManifest> {
  const started = new Date();
  const retention = await planLock(options.repo, options.lock, started);
  const repo = lockedWrites(options.repo, retention?.request);
  const client = await connect(options.target, { applicationName: 'pgdr export' });
  const lock = await repo.lock(`locks/export-${options.name}`);
  let id: string | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    const snapshotTime = (await client.query<{ now: Date }>('select now()')).rows[0]!.now;
    const tables = [];
    for (const table of options.tables) tables.push(await tableInfo(client, table));
    id = await claimNewDir(repo, started, timeStamp, (at) => exportDir(options.name, at), 'an export');
    ctx.log.info(
      `Exporting ${tables.length} table(s) of ${options.target.display} to ${repo.url}/${exportDir(options.name, id)}`,
    );
    const compression = parseCompression(undefined);
    const files: ExportManifest['tables'] = [];
    for (const [i, info] of tables.entries()) {
      const path = `${String(i + 1).padStart(2, '0')}-${safeName(`${info.schema}.${info.name}`)}.${options.format}${compression.method === 'zstd' ? '.zst' : ''}${options.encryption ? '.age' : ''}`;
      const source = new PassThrough();
      const hash = new HashStage();
      const stages = [
        source,
        compressStage(compression, ctx.signal),
        ...(options.encryption ? [createEncryptStream(options.encryption)] : []),
        hash,
      ];
      const flowing = pipeline(stages as unknown as [Readable, ...NodeJS.ReadWriteStream[]]);
      const stored = repo.putStream(`${exportDir(options.name, id)}${path}`, hash, { signal: ctx.signal });
      const counting = exportRows(client, info, { format: options.format, anonymize: {} }, source).finally(() =>
        source.end(),
      );
      const [rows] = await Promise.all([counting, flowing, stored]);
      ctx.progress({ label: 'export', done: i + 1, total: tables.length, unit: 'items' });
      files.push({ table: `${info.schema}.${info.name}`, rows, path, bytes: hash.bytes, sha256: hash.digest() });
    }
    await client.query('rollback');
    const manifest: ExportManifest = {
      formatVersion: 1,
      name: options.name,
      id,
      database: options.target.database,
      source: options.target.display,
      snapshotTime: snapshotTime.toISOString(),
      finishedAt: new Date().toISOString(),
      format: options.format,
      compression: compression.method === 'zstd' ? 'zstd:3' : 'none',
      encryption: encryptionRecord(options.encryption),
      tables: files,
      bytes: files.reduce((s, f) => s + f.bytes, 0),
      ...(retention ? { lock: retention.record } : {}),
    };
    await repo.writeFile(`${exportDir(options.name, id)}${EXPORT_MANIFEST}`, JSON.stringify(manifest, null, 2) + '\n');
    if (retention && repo.seal)
      await repo.seal([...files.map((f) => f.path), EXPORT_MANIFEST].map((p) => `${exportDir(options.name, id!)}${p}`));
    return manifest;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    if (id) await repo.removePrefix(exportDir(options.name, id)).catch(() => {});
    if (error instanceof PgdrError && error.exitCode === 2) throw error;
    throw new PgdrError(`Export ${options.name} failed: ${(error as Error).message}`, {
      hint: `${error instanceof PgdrError && error.hint ? `${error.hint} ` : ''}Nothing was kept: the partial export was removed.`,
      cause: error,
    });
  } finally {
    await lock.release().catch(() => {});
    await client.end().catch(() => {});
  }
}
