import { lstat, mkdir, open, readdir, type FileHandle, rename, rm, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../core/errors.js';
import { ByteCounter } from './byte-counter.js';
import { asDirPrefix, checkPrefix } from './keys.js';
import { localError } from './local-errors.js';
import { DIR_MODE, FILE_MODE, fsyncDir, removeQuietly, walkFiles, writeAtomic } from './local-files.js';
import { CREATE_NO_FOLLOW, dirInside, linkRefused, pathInside, READ_NO_FOLLOW } from './local-paths.js';
import { tooLarge } from './too-large.js';
import { acquireLocalLock } from './local-lock.js';
import { putFailure, watchSource } from './stream-errors.js';
import { probeByRoundTrip } from './probe.js';
import { fileLockStates, sealFiles, unsealFiles } from './local-seal.js';
import type { LockState, SealResult } from './lock-types.js';
import type {
  GetStreamOptions,
  ObjectInfo,
  ObjectStat,
  PutStreamOptions,
  ReadFileOptions,
  Repository,
  RepositoryLock,
} from './repository.js';

/**
 * A repository in a local directory. Keys are checked, no directory on the way to a key may be a symbolic link, and
 * files are opened with O_NOFOLLOW (created with O_EXCL too): whatever is planted in the repository, pgdr reads,
 * writes and removes only inside it.
 */
export class LocalRepository implements Repository {
  readonly remote = false;

  constructor(readonly url: string) {}

  private path(key: string, create = false): Promise<string> {
    return pathInside(this.url, key, create);
  }

  async putStream(key: string, body: Readable, opts: PutStreamOptions = {}): Promise<{ bytes: number }> {
    const path = join(this.url, key);
    const partial = `${path}.partial`;
    const counter = new ByteCounter(opts.onProgress);
    const source = watchSource(body);
    // Node's pipeline can reject with the teardown AbortError instead of the write error (ENOSPC) that caused it.
    let writeError: unknown;
    let created = false;
    try {
      await this.path(key, true);
      const handle = await createExclusive(partial);
      created = true;
      try {
        await pipeline(
          body,
          counter,
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source)
              await writeFully(handle, chunk).catch((e: unknown) => Promise.reject((writeError = e)));
          },
          { signal: opts.signal },
        );
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, path);
      await fsyncDir(dirname(path));
      return { bytes: counter.bytes };
    } catch (error) {
      body.destroy();
      if (created) await removeQuietly(partial);
      throw putFailure(path, counter.bytes, opts.signal, source, () =>
        localError(writeError ?? error, 'writing', path),
      );
    }
  }

  async writeFile(key: string, data: string | Buffer): Promise<void> {
    const path = join(this.url, key);
    await this.path(key, true)
      .then(() => writeAtomic(path, data))
      .catch((error: unknown) => {
        throw localError(error, 'writing', path);
      });
  }

  async readFile(key: string, opts: ReadFileOptions = {}): Promise<Buffer> {
    const path = join(this.url, key);
    try {
      const handle = await openFile(await this.path(key));
      try {
        const size = (await handle.stat()).size;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) throw tooLarge(path, size, opts.maxBytes);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw localError(error, 'reading', path);
    }
  }

  async getStream(key: string, opts: GetStreamOptions = {}): Promise<{ stream: Readable; bytes: number }> {
    const path = join(this.url, key);
    try {
      const handle = await openFile(await this.path(key));
      const size = (await handle.stat()).size;
      const file = handle.createReadStream({ signal: opts.signal });
      const counter = new ByteCounter(opts.onProgress);
      // pipeline, not pipe: a consumer that stops early must close the file too.
      return { stream: pipe(file, counter, () => {}), bytes: size };
    } catch (error) {
      throw localError(error, 'reading', path);
    }
  }

  /** null when nothing is there; a link or a directory where a file should be is an error, not an absence. */
  async stat(key: string): Promise<ObjectStat | null> {
    const path = join(this.url, key);
    try {
      const info = await lstat(await this.path(key));
      if (info.isSymbolicLink()) throw linkRefused(path);
      if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      return { bytes: info.size, modified: info.mtime };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw localError(error, 'reading', path);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    checkPrefix(prefix);
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1).replace(/\/$/, '');
    try {
      await dirInside(this.url, dir);
      const files = await walkFiles(this.url, dir);
      return files.filter((f) => f.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    } catch (error) {
      throw localError(error, 'listing', join(this.url, dir));
    }
  }

  async listDirs(prefix: string): Promise<string[]> {
    const dir = join(this.url, asDirPrefix(prefix));
    try {
      await dirInside(this.url, asDirPrefix(prefix).replace(/\/$/, ''));
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw localError(error, 'listing', dir);
    }
  }

  async remove(keys: string[]): Promise<void> {
    for (const key of keys) {
      const path = join(this.url, key);
      await this.path(key)
        .then((p) => rm(p, { force: true }))
        .catch((error: unknown) => {
          throw localError(error, 'removing', path);
        });
    }
  }

  async claimDir(prefix: string): Promise<boolean> {
    const dirKey = asDirPrefix(prefix).replace(/\/$/, '');
    const path = join(this.url, dirKey);
    try {
      await this.path(dirKey, true);
      await mkdir(path, { mode: DIR_MODE });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw localError(error, 'creating', path);
    }
  }

  async removePrefix(prefix: string): Promise<void> {
    const dirPrefix = asDirPrefix(prefix);
    if (dirPrefix === '') {
      throw new StorageError('Refusing to remove the whole repository.', {
        hint: 'Name the backup directory to remove.',
      });
    }
    const path = join(this.url, dirPrefix);
    // Recursive rm removes links it meets, never what they point to; the directories above were checked.
    await dirInside(this.url, dirPrefix.replace(/\/$/, ''))
      .then((dir) => rm(dir, { recursive: true, force: true }))
      .catch((error: unknown) => {
        throw localError(error, 'removing', path);
      });
  }

  async lock(name: string): Promise<RepositoryLock> {
    const path = await this.path(name, true).catch((error: unknown) => {
      throw localError(error, 'locking', join(this.url, name));
    });
    return acquireLocalLock(path, name);
  }

  async freeBytes(): Promise<{ free: number; total: number } | undefined> {
    let dir = this.url;
    for (;;) {
      try {
        const fs = await statfs(dir);
        return { free: fs.bavail * fs.bsize, total: fs.blocks * fs.bsize };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) return undefined;
        dir = dirname(dir);
      }
    }
  }

  probe(): Promise<void> {
    return probeByRoundTrip(this);
  }

  async lockStates(keys: string[]): Promise<Map<string, LockState>> {
    const paths = await this.paths(keys, 'reading');
    const states = await fileLockStates([...paths.keys()]);
    return new Map([...paths].flatMap(([path, key]) => (states.has(path) ? [[key, states.get(path)!]] : [])));
  }

  async seal(keys: string[]): Promise<SealResult> {
    const paths = await this.paths(keys, 'sealing');
    return sealFiles([...paths.keys()]).catch((error: unknown) => {
      throw localError(error, 'sealing', join(this.url, keys[0] ?? ''));
    });
  }

  async unseal(keys: string[]): Promise<void> {
    const paths = await this.paths(keys, 'unsealing');
    await unsealFiles([...paths.keys()]).catch((error: unknown) => {
      throw localError(error, 'unsealing', join(this.url, keys[0] ?? ''));
    });
  }

  /** Checked absolute path → key. */
  private async paths(keys: string[], action: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const key of keys) {
      const path = await this.path(key).catch((error: unknown) => {
        throw localError(error, action, join(this.url, key));
      });
      out.set(path, key);
    }
    return out;
  }
}

async function openFile(path: string): Promise<FileHandle> {
  const handle = await open(path, READ_NO_FOLLOW);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  }
  return handle;
}

/** A leftover in-flight file of the same name (a killed run's) is replaced, never written through. */
async function createExclusive(path: string): Promise<FileHandle> {
  try {
    return await open(path, CREATE_NO_FOLLOW, FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await unlink(path);
    return await open(path, CREATE_NO_FOLLOW, FILE_MODE);
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
