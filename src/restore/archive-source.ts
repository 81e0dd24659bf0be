import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { makeStagingDir } from '../core/staging.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OperationContext } from '../core/context.js';
import { ChecksumMismatch, isPgdrError } from '../core/errors.js';
import { ProcessFailed } from '../core/system.js';
import {
  checkStoredFile,
  downloadDirectory,
  openStored,
  plaintextStages,
  plaintextToFile,
  type ArchiveKeys,
} from '../backup/archive.js';
import { HashStage } from '../backup/compression.js';
import { recordDataOffsets } from './archive-offsets.js';
import type { BackupManifest, ManifestFile } from '../backup/manifest.js';
import type { Repository } from '../storage/index.js';

/**
 * The archive as pg_restore reads it: a seekable local file or directory (needed for --jobs), or a plaintext
 * stream fed into pg_restore's stdin (one job, no copy on disk).
 */
export interface ArchiveSource {
  how: 'stream' | 'file' | 'directory';
  /** File or directory pg_restore opens; absent for a stream. */
  path?: string;
  /** A fresh plaintext stream of the archive (stream sources only; each call reads it again). */
  open?(signal: AbortSignal): Promise<Readable>;
  cleanup(): Promise<void>;
}

export type SourceMode = 'stream' | 'materialize';

/** What makes the archive readable, and checks every checksum on the way: nothing touches a target before this returns. */
export async function prepareArchive(
  repo: Repository,
  manifest: BackupManifest,
  keys: ArchiveKeys,
  mode: SourceMode,
  ctx: OperationContext,
): Promise<ArchiveSource> {
  const dir = makeStagingDir('restore', (m) => ctx.log.warn(m));
  const staging = dir.path;
  const cleanup = async () => dir.remove();
  try {
    await checkExtras(repo, manifest, ctx);
    if (manifest.format === 'directory') {
      const data = await downloadDirectory(repo, manifest, staging, ctx.signal);
      return { how: 'directory', path: data, cleanup };
    }
    const file = manifest.files[0]!;
    const progress = (label: string) => (n: number) =>
      ctx.progress({ label, done: n, total: file.bytes, unit: 'bytes' });
    if (mode === 'materialize') {
      const path = join(staging, 'archive.dump');
      const hash = new HashStage(progress(repo.remote ? 'download + decrypt' : 'checksum + decrypt'));
      try {
        // Opened before the decompressor starts: a missing file must not leave it waiting on its input for ever.
        const stored = await openStored(repo, manifest, file, { signal: ctx.signal });
        const out = plaintextToFile(manifest, keys, path, ctx.signal);
        await Promise.all([pipeline([stored, hash, ...out.stages, out.sink] as never), out.done]);
      } catch (error) {
        // A damaged file usually breaks zstd before the hash is complete: the checksum is the clearer verdict.
        if ((!isPgdrError(error) || error instanceof ProcessFailed) && !ctx.signal.aborted)
          await checkStoredFile(repo, manifest, file, { signal: ctx.signal });
        throw unreadable(manifest, file, error);
      }
      assertHash(manifest, file, hash);
      if (manifest.dataOffsets) {
        const skipped = await recordDataOffsets(path, manifest.dataOffsets).catch((error: Error) => error.message);
        if (skipped)
          ctx.log.debug(
            `Data offsets not written into the staged archive (${skipped}): pg_restore reads through it to find each table.`,
          );
      }
      return { how: 'file', path, cleanup };
    }
    // A remote archive is fetched once, as stored (still encrypted), then read locally.
    let local: string | undefined;
    if (repo.remote) {
      local = join(staging, 'stored');
      const hash = new HashStage(progress('download'));
      await pipeline(
        await openStored(repo, manifest, file, { signal: ctx.signal }),
        hash,
        createWriteStream(local, { mode: 0o600 }),
      );
      assertHash(manifest, file, hash);
    } else {
      await checkStoredFile(repo, manifest, file, { signal: ctx.signal, onProgress: progress('checksum') });
    }
    const open = async (signal: AbortSignal): Promise<Readable> => {
      const stored = local ? createReadStream(local) : await openStored(repo, manifest, file, { signal });
      const stages = plaintextStages(manifest, keys, signal);
      if (!stages.length) return stored;
      const out = stages.at(-1)!;
      pipeline([stored, ...stages] as never).catch((error) => out.destroy(error as Error));
      return out as Readable;
    };
    return { how: 'stream', open, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function checkExtras(repo: Repository, manifest: BackupManifest, ctx: OperationContext): Promise<void> {
  for (const file of manifest.extras ?? []) await checkStoredFile(repo, manifest, file, { signal: ctx.signal });
}

function assertHash(manifest: BackupManifest, file: ManifestFile, hash: HashStage): void {
  const actual = hash.digest();
  if (actual === file.sha256 && hash.bytes === file.bytes) return;
  throw new ChecksumMismatch(
    `Backup ${manifest.id}: ${file.path} does not match its checksum (expected ${file.sha256.slice(0, 16)}…, found ${actual.slice(0, 16)}…).`,
    {
      hint: 'The stored file is damaged or was changed; nothing was restored. Use an older backup (pgdr backups list) and check the storage.',
    },
  );
}

/** A decrypt or decompress failure while staging: a wrong key says so itself; anything else means damaged bytes. */
function unreadable(manifest: BackupManifest, file: ManifestFile, error: unknown): unknown {
  if (isPgdrError(error) || (error as Error).name === 'AbortError') return error;
  return new ChecksumMismatch(
    `Backup ${manifest.id}: ${file.path} cannot be decrypted or decompressed: ${(error as Error).message}`,
    {
      hint: 'The stored file is damaged; nothing was restored. Use an older backup (pgdr backups list).',
      cause: error,
    },
  );
}
