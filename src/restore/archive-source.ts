import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { makeStagingDir } from '../core/staging.js';
import type { OperationContext } from '../core/context.js';
import { ChecksumMismatch, isPgdrError } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { pipeThrough } from '../core/streams.js';
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
 * stream fed into pg_restore's stdin (one job, no copy on disk). It is made ready in the background: `readable`
 * settles when its table of contents can be read, `checked` when every stored byte has matched the manifest's
 * sha256, so a restore into a database it creates can begin before the check is over, and any other waits for it.
 */
export interface ArchiveSource {
  how: 'stream' | 'file' | 'directory';
  /** File or directory pg_restore opens; absent for a stream. */
  path?: string;
  /** A fresh plaintext stream of the archive (stream sources only; each call reads it again). */
  open?(signal: AbortSignal): Promise<Readable>;
  /** Settles once the table of contents can be read (a staged file holds it); rejects when the archive cannot be. */
  readable: Promise<void>;
  /** Settles once every stored file matched its sha256 and a staged copy is whole; rejects with the reason. */
  checked: Promise<void>;
  /**
   * A staged file ready for pg_restore --jobs: checked, with the data offsets the backup noted written into it.
   * Called once nothing else is reading its table of contents (a pre-data restore).
   */
  seekable(): Promise<void>;
  /** Stops what is still being staged and removes it. */
  cleanup(): Promise<void>;
}

export type SourceMode = 'stream' | 'materialize';

/** Starts making the archive readable, and checking it; nothing here touches a target. */
export function prepareArchive(
  repo: Repository,
  manifest: BackupManifest,
  keys: ArchiveKeys,
  mode: SourceMode,
  ctx: OperationContext,
): ArchiveSource {
  const dir = makeStagingDir('restore', (m) => ctx.log.warn(m));
  // Cleanup stops the staging as well as Ctrl-C does.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const file = manifest.files[0]!;
  const progress = (label: string) => (n: number) => ctx.progress({ label, done: n, total: file.bytes, unit: 'bytes' });
  const extras = background(checkExtras(repo, manifest, signal));
  const source = ((): Omit<ArchiveSource, 'cleanup' | 'checked'> & { checked: Promise<unknown> } => {
    if (manifest.format === 'directory') {
      const data = background(downloadDirectory(repo, manifest, dir.path, signal));
      return { how: 'directory', path: join(dir.path, 'data'), readable: voided(data), checked: data, seekable: noop };
    }
    if (mode === 'materialize') return stagedFile(repo, manifest, keys, dir.path, signal, progress, ctx);
    if (repo.remote) {
      // A remote archive is fetched once, as stored (still encrypted), then read locally.
      const local = join(dir.path, 'stored');
      const fetched = background(fetchStored(repo, manifest, file, local, signal, progress('download')));
      const open = async (s: AbortSignal) => plaintext(createReadStream(local), manifest, keys, s);
      return { how: 'stream', open, readable: voided(fetched), checked: fetched, seekable: noop };
    }
    const hashed = background(checkStoredFile(repo, manifest, file, { signal, onProgress: progress('checksum') }));
    const open = async (s: AbortSignal) =>
      plaintext(await openStored(repo, manifest, file, { signal: s }), manifest, keys, s);
    return { how: 'stream', open, readable: Promise.resolve(), checked: hashed, seekable: noop };
  })();
  const checked = background(Promise.all([source.checked, extras]).then(() => undefined));
  return {
    ...source,
    checked,
    cleanup: async () => {
      stop.abort();
      await Promise.allSettled([checked, source.readable]);
      dir.remove();
    },
  };
}

/** Decrypted and decompressed into a private file, checked on the way; readable as soon as its head is there. */
function stagedFile(
  repo: Repository,
  manifest: BackupManifest,
  keys: ArchiveKeys,
  staging: string,
  signal: AbortSignal,
  progress: (label: string) => (n: number) => void,
  ctx: OperationContext,
): Omit<ArchiveSource, 'cleanup'> {
  const file = manifest.files[0]!;
  const path = join(staging, 'archive.dump');
  const staged = background(stage());
  async function stage(): Promise<void> {
    const hash = new HashStage(progress(repo.remote ? 'download + decrypt' : 'checksum + decrypt'));
    try {
      // Opened before the decompressor starts: a missing file must not leave it waiting on its input for ever.
      const stored = await openStored(repo, manifest, file, { signal });
      const out = plaintextToFile(manifest, keys, path, signal);
      await Promise.all([pipeThrough(stored, [hash, ...out.stages], out.sink), out.done]);
    } catch (error) {
      // A damaged file usually breaks zstd before the hash is complete: the checksum is the clearer verdict.
      if ((!isPgdrError(error) || error instanceof ProcessFailed) && !signal.aborted)
        await checkStoredFile(repo, manifest, file, { signal });
      throw unreadable(manifest, file, error);
    }
    assertHash(manifest, file, hash);
  }
  // The table of contents ends where the first data block starts: pg_restore reads it while the rest is staged.
  const head = manifest.dataOffsets ? Math.min(...Object.values(manifest.dataOffsets)) : undefined;
  const readable = head ? background(Promise.race([staged, holds(path, head, staged, signal)])) : staged;
  let offsets: Promise<void> | undefined;
  const seekable = () =>
    (offsets ??= staged.then(async () => {
      if (!manifest.dataOffsets) return;
      const skipped = await recordDataOffsets(path, manifest.dataOffsets).catch((error: Error) => error.message);
      if (skipped)
        ctx.log.debug(
          `Data offsets not written into the staged archive (${skipped}): pg_restore reads through it to find each table.`,
        );
    }));
  return { how: 'file', path, readable, checked: staged, seekable };
}

/** Settles once the file being written at `path` holds `bytes` bytes (or `staged` settles first). */
async function holds(path: string, bytes: number, staged: Promise<void>, signal: AbortSignal): Promise<void> {
  let settled = false;
  void staged.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled && !signal.aborted) {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size >= bytes) return;
    await sleep(25, signal).catch(() => {});
  }
  await staged;
}

async function fetchStored(
  repo: Repository,
  manifest: BackupManifest,
  file: ManifestFile,
  local: string,
  signal: AbortSignal,
  onProgress: (n: number) => void,
): Promise<void> {
  const hash = new HashStage(onProgress);
  await pipeThrough(
    await openStored(repo, manifest, file, { signal }),
    [hash],
    createWriteStream(local, { mode: 0o600 }),
  );
  assertHash(manifest, file, hash);
}

function plaintext(stored: Readable, manifest: BackupManifest, keys: ArchiveKeys, signal: AbortSignal): Readable {
  const stages = plaintextStages(manifest, keys, signal);
  if (!stages.length) return stored;
  const out = stages.at(-1)!;
  pipeThrough(stored, stages.slice(0, -1), out).catch((error: Error) => out.destroy(error));
  return out;
}

async function checkExtras(repo: Repository, manifest: BackupManifest, signal: AbortSignal): Promise<void> {
  for (const file of manifest.extras ?? []) await checkStoredFile(repo, manifest, file, { signal });
}

/** Work that runs while the restore goes on: awaited later, so its failure is not reported as unhandled meanwhile. */
function background<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {});
  return work;
}

const voided = (work: Promise<unknown>): Promise<void> => background(work.then(() => undefined));
const noop = async () => {};

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
