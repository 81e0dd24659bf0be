import { createReadStream } from 'node:fs';
import { open, readdir, type FileHandle, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../core/errors.js';
import { ByteCounter } from './byte-counter.js';
import { asDirPrefix, checkKey, checkPrefix } from './keys.js';
import { localError } from './local-errors.js';
import { ensureDir, FILE_MODE, fsyncDir, removeQuietly, walkFiles, writeAtomic } from './local-files.js';
import { acquireLocalLock } from './local-lock.js';
import { putFailure, watchSource } from './stream-errors.js';
import { probeByRoundTrip } from './probe.js';
import type {
  GetStreamOptions,
  ObjectInfo,
  ObjectStat,
  PutStreamOptions,
  Repository,
  RepositoryLock,
} from './repository.js';

export class LocalRepository implements Repository {
  readonly remote = false;

  constructor(readonly url: string) {}

  private path(key: string): string {
    return join(this.url, checkKey(key));
  }

  async putStream(key: string, body: Readable, opts: PutStreamOptions = {}): Promise<{ bytes: number }> {
    const path = this.path(key);
    const partial = `${path}.partial`;
    const counter = new ByteCounter(opts.onProgress);
    const source = watchSource(body);
    // Node's pipeline can reject with the teardown AbortError instead of the write error (ENOSPC) that caused it.
    let writeError: unknown;
    try {
      await ensureDir(dirname(path));
      const handle = await open(partial, 'w', FILE_MODE);
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
      await removeQuietly(partial);
      throw putFailure(path, counter.bytes, opts.signal, source, () =>
        localError(writeError ?? error, 'writing', path),
      );
    }
  }

  async writeFile(key: string, data: string | Buffer): Promise<void> {
    const path = this.path(key);
    await writeAtomic(path, data).catch((error: unknown) => {
      throw localError(error, 'writing', path);
    });
  }

  async readFile(key: string): Promise<Buffer> {
    const path = this.path(key);
    return readFile(path).catch((error: unknown) => {
      throw localError(error, 'reading', path);
    });
  }

  async getStream(key: string, opts: GetStreamOptions = {}): Promise<{ stream: Readable; bytes: number }> {
    const path = this.path(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const file = createReadStream(path, { signal: opts.signal });
      const counter = new ByteCounter(opts.onProgress);
      // pipeline, not pipe: a consumer that stops early must close the file too.
      return { stream: pipe(file, counter, () => {}), bytes: info.size };
    } catch (error) {
      throw localError(error, 'reading', path);
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    const path = this.path(key);
    try {
      const info = await stat(path);
      return info.isFile() ? { bytes: info.size, modified: info.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw localError(error, 'reading', path);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    checkPrefix(prefix);
    const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1).replace(/\/$/, '');
    try {
      const files = await walkFiles(this.url, dir);
      return files.filter((f) => f.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    } catch (error) {
      throw localError(error, 'listing', join(this.url, dir));
    }
  }

  async listDirs(prefix: string): Promise<string[]> {
    const dir = join(this.url, asDirPrefix(prefix));
    try {
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
      const path = this.path(key);
      await rm(path, { force: true }).catch((error: unknown) => {
        throw localError(error, 'removing', path);
      });
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
    await rm(path, { recursive: true, force: true }).catch((error: unknown) => {
      throw localError(error, 'removing', path);
    });
  }

  lock(name: string): Promise<RepositoryLock> {
    return acquireLocalLock(this.path(name), name);
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
}

async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
