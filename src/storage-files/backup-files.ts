import { PassThrough } from 'node:stream';
import type { OperationContext } from '../core/context.js';
import { pipeThrough } from '../core/streams.js';
import type { Repository } from '../storage/index.js';
import { HashStage } from '../backup/compression.js';
import { createEncryptStream } from '../crypto/index.js';
import {
  FILES_LOCK,
  listFileSnapshots,
  poolKey,
  readFilesManifest,
  SNAPSHOTS,
  type FileEntry,
  type FilesManifest,
} from './files-manifest.js';
import type { StorageSource } from './source.js';

export interface BackupFilesOptions {
  source: StorageSource;
  repo: Repository;
  /** Usually the id of the database backup taken with it, so the two restore together. */
  id: string;
  recipients?: string[];
}

/**
 * Copies every object of the project's buckets into the repository, with a sha256 per object. Incremental: an
 * object whose ETag and size match the previous snapshot is recorded again without being copied.
 */
export async function backupStorageFiles(options: BackupFilesOptions, ctx: OperationContext): Promise<FilesManifest> {
  const { repo } = options;
  const lock = await repo.lock(FILES_LOCK);
  try {
    return await copyObjects(options, ctx);
  } finally {
    await lock.release();
  }
}

async function copyObjects(options: BackupFilesOptions, ctx: OperationContext): Promise<FilesManifest> {
  const { source, repo } = options;
  const startedAt = new Date().toISOString();
  const encrypted = Boolean(options.recipients?.length);
  const previous = await previousEntries(repo, source.endpoint);
  const buckets = await source.buckets();
  const objects: FileEntry[] = [];
  let copied = 0;
  let bytesCopied = 0;
  for (const bucket of buckets) {
    for await (const object of source.objects(bucket)) {
      ctx.signal.throwIfAborted();
      const stored = poolKey(object.bucket, object.key, object.etag, object.bytes, encrypted);
      const before = previous.get(`${object.bucket}\0${object.key}`);
      if (
        before &&
        before.etag === object.etag &&
        before.bytes === object.bytes &&
        before.stored === stored &&
        (await repo.stat(stored))
      ) {
        objects.push(before);
        continue;
      }
      const { body, contentType } = await source.get(object.bucket, object.key);
      const hash = new HashStage();
      const out = new PassThrough();
      const stages: NodeJS.ReadWriteStream[] = [
        hash,
        ...(encrypted ? [createEncryptStream({ recipients: options.recipients! })] : []),
      ];
      await Promise.all([
        pipeThrough(body, stages, out, { signal: ctx.signal }),
        repo.putStream(stored, out, { signal: ctx.signal }),
      ]);
      objects.push({
        bucket: object.bucket,
        key: object.key,
        etag: object.etag,
        bytes: hash.bytes,
        sha256: hash.digest(),
        contentType,
        stored,
      });
      copied++;
      bytesCopied += hash.bytes;
      ctx.progress({ label: 'storage files', done: objects.length, unit: 'items' });
    }
  }
  const manifest: FilesManifest = {
    formatVersion: 1,
    id: options.id,
    source: source.endpoint,
    startedAt,
    finishedAt: new Date().toISOString(),
    buckets,
    objects,
    copied,
    reused: objects.length - copied,
    bytesCopied,
    encryption: encrypted ? { format: 'age', recipients: options.recipients! } : null,
  };
  await repo.writeFile(`${SNAPSHOTS}${options.id}.json`, JSON.stringify(manifest, null, 2) + '\n');
  ctx.log.info(
    `Storage files: ${objects.length} objects in ${buckets.length} bucket(s); ${copied} copied, ${manifest.reused} unchanged since the previous snapshot.`,
  );
  return manifest;
}

async function previousEntries(repo: Repository, endpoint: string): Promise<Map<string, FileEntry>> {
  const ids = await listFileSnapshots(repo);
  for (const id of ids.reverse()) {
    const manifest = await readFilesManifest(repo, id).catch(() => undefined);
    if (manifest?.source === endpoint) return new Map(manifest.objects.map((o) => [`${o.bucket}\0${o.key}`, o]));
  }
  return new Map();
}
