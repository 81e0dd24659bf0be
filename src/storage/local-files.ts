import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** In-flight files (streamed uploads and atomic writes) are never listed: they are not objects yet. */
const IN_FLIGHT = /(\.partial|\.tmp-[0-9a-f]{16})$/;

export function tempPath(path: string): string {
  return `${path}.tmp-${randomBytes(8).toString('hex')}`;
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

/** A rename is durable only once the directory entry is flushed too. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The whole file or nothing under `path`: written to a new temp file (random name, created exclusively, so no link
 * planted beside it is followed), flushed, then renamed over `path` (which replaces a link there, never follows it).
 */
export async function writeAtomic(path: string, data: string | Buffer, mode = FILE_MODE): Promise<void> {
  await ensureDir(dirname(path));
  const tmp = tempPath(path);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await removeQuietly(tmp);
    throw error;
  }
  await handle.close();
  await rename(tmp, path).catch(async (error: unknown) => {
    await removeQuietly(tmp);
    throw error;
  });
  await fsyncDir(dirname(path));
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => {});
}

/** Every regular file under dir, as paths relative to base, skipping in-flight files. */
export async function walkFiles(base: string, dir: string): Promise<{ key: string; bytes: number; modified: Date }[]> {
  let entries;
  try {
    entries = await readdir(join(base, dir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw error;
  }
  const out: { key: string; bytes: number; modified: Date }[] = [];
  for (const entry of entries) {
    const key = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await walkFiles(base, key)));
    else if (entry.isFile() && !IN_FLIGHT.test(entry.name)) {
      const info = await lstat(join(base, key)).catch(() => undefined);
      if (info?.isFile()) out.push({ key, bytes: info.size, modified: info.mtime });
    }
  }
  return out;
}
