import { createHash } from 'node:crypto';
import type { BackupManifest } from '../../src/backup/manifest.js';
import type { Repository } from '../../src/storage/index.js';

/**
 * A backup as pgdr writes it, without pg_dump: a small data file and a manifest that checks out against it. For
 * tests of listing and retention, which never read the archive.
 */
export function fakeBackup(
  id: string,
  overrides: Partial<BackupManifest> = {},
): { manifest: BackupManifest; files: Record<string, Buffer> } {
  const [, stamp, kind, database] = /^(\d{8}T\d{6}Z)-([a-z]+)-(.+)$/.exec(id) ?? [];
  const time = stamp
    ? new Date(stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')).toISOString()
    : new Date().toISOString();
  const data = Buffer.from(`archive of ${id}`);
  const manifest: BackupManifest = {
    formatVersion: 2,
    id,
    kind: (kind ?? 'full') as BackupManifest['kind'],
    database: database ?? 'app',
    source: `postgres://app@db/${database ?? 'app'}`,
    snapshotTime: time,
    startedAt: time,
    finishedAt: time,
    durationMs: 1000,
    server: { version: '15.8', major: 15 },
    tools: { pg_dump: '15.8' },
    pgdrVersion: '0.1.0',
    format: 'custom',
    compression: { dump: 'none', stream: 'zstd:3' },
    encryption: null,
    bytes: data.length,
    databaseBytes: 8_000_000,
    files: [{ path: 'data.dump.zst', bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }],
    tableRows: [{ schema: 'public', table: 'notes', rows: 3 }],
    host: 'test',
    operator: 'test',
    ...overrides,
  };
  return { manifest, files: { 'data.dump.zst': data } };
}

/** Writes a fake backup into the repository, manifest last. */
export async function writeFakeBackup(
  repo: Repository,
  id: string,
  overrides: Partial<BackupManifest> = {},
): Promise<BackupManifest> {
  const { manifest, files } = fakeBackup(id, overrides);
  for (const [name, body] of Object.entries(files)) await repo.writeFile(`backups/${id}/${name}`, body);
  await repo.writeFile(`backups/${id}/manifest.json`, JSON.stringify(manifest));
  return manifest;
}
