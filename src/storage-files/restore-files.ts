import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import type { OperationContext } from '../core/context.js';
import { ChecksumMismatch } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import { HashStage } from '../backup/compression.js';
import { createDecryptStream } from '../crypto/index.js';
import { readFilesManifest, type FileEntry } from './files-manifest.js';
import type { StorageSource } from './source.js';

export interface RestoreFilesOptions {
  repo: Repository;
  /** Snapshot id (the backup id), a prefix, or "latest". */
  snapshot: string;
  target: StorageSource;
  identities?: string[];
  buckets?: string[];
}

export interface RestoreFilesResult {
  snapshot: string;
  restored: number;
  bytes: number;
}

/** Puts a snapshot's objects back. Every object's checksum is checked before the first one is written to the target. */
export async function restoreStorageFiles(
  options: RestoreFilesOptions,
  ctx: OperationContext,
): Promise<RestoreFilesResult> {
  const manifest = await readFilesManifest(options.repo, options.snapshot);
  const wanted = manifest.objects.filter((o) => !options.buckets?.length || options.buckets.includes(o.bucket));
  for (const [i, entry] of wanted.entries()) {
    await checkEntry(options, entry, Boolean(manifest.encryption), ctx.signal);
    ctx.progress({ label: 'check storage files', done: i + 1, total: wanted.length, unit: 'items' });
  }
  let bytes = 0;
  for (const [i, entry] of wanted.entries()) {
    ctx.signal.throwIfAborted();
    const body = await plaintext(options, entry, Boolean(manifest.encryption), ctx.signal);
    await options.target.put(entry.bucket, entry.key, body, entry.bytes, entry.contentType);
    bytes += entry.bytes;
    ctx.progress({ label: 'storage files', done: i + 1, total: wanted.length, unit: 'items' });
  }
  ctx.log.info(`Storage files: restored ${wanted.length} objects from snapshot ${manifest.id}.`);
  return { snapshot: manifest.id, restored: wanted.length, bytes };
}

async function plaintext(
  options: RestoreFilesOptions,
  entry: FileEntry,
  encrypted: boolean,
  signal: AbortSignal,
): Promise<Readable> {
  const { stream } = await options.repo.getStream(entry.stored, { signal });
  if (!encrypted) return stream;
  const decrypt = createDecryptStream({ identities: options.identities ?? [] });
  stream.on('error', (e) => decrypt.destroy(e));
  return stream.pipe(decrypt);
}

async function checkEntry(
  options: RestoreFilesOptions,
  entry: FileEntry,
  encrypted: boolean,
  signal: AbortSignal,
): Promise<void> {
  const hash = new HashStage();
  await pipeline(
    await plaintext(options, entry, encrypted, signal),
    hash,
    new Writable({ write: (_c, _e, done) => done() }),
  );
  const actual = hash.digest();
  if (actual !== entry.sha256 || hash.bytes !== entry.bytes) {
    throw new ChecksumMismatch(
      `Storage object ${entry.bucket}/${entry.key} in the repository does not match its checksum.`,
      {
        hint: 'The stored copy is damaged; nothing further was written. Restore from an older snapshot, and check the repository storage.',
      },
    );
  }
}
