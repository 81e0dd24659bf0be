import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isStale, lockedError, newLockRecord, parseLockRecord, type LockRecord } from './lock-record.js';
import { ensureDir, FILE_MODE, removeQuietly, tempPath } from './local-files.js';
import { localError } from './local-errors.js';
import { READ_NO_FOLLOW } from './local-paths.js';
import type { RepositoryLock } from './repository.js';

/**
 * The lock file is written in full to a temp file, then hard-linked into place: link() fails with EEXIST like O_EXCL,
 * and a reader never sees a half-written lock.
 */
export async function acquireLocalLock(path: string, name: string): Promise<RepositoryLock> {
  const record = newLockRecord();
  try {
    await ensureDir(dirname(path));
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(path, record)) return { release: () => releaseLocalLock(path, record.token) };
      const holder = await readHolder(path);
      if (holder === null) continue;
      if (!holder || !isStale(holder)) throw lockedError(name, path, holder);
      await breakStaleLock(path, holder);
    }
  } catch (error) {
    throw localError(error, 'locking', path);
  }
  throw lockedError(name, path, (await readHolder(path).catch(() => undefined)) ?? undefined);
}

async function tryCreate(path: string, record: LockRecord): Promise<boolean> {
  const tmp = tempPath(path);
  await writeFile(tmp, JSON.stringify(record), { mode: FILE_MODE, flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await removeQuietly(tmp);
  }
}

/** null: the lock vanished meanwhile (retry); undefined: present but unreadable. */
async function readHolder(path: string): Promise<LockRecord | undefined | null> {
  try {
    return parseLockRecord(await readFile(path, { flag: READ_NO_FOLLOW }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Moves the stale file aside first, so two processes breaking the same stale lock cannot delete each other's new one. */
async function breakStaleLock(path: string, stale: LockRecord): Promise<void> {
  const aside = tempPath(path);
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = parseLockRecord(await readFile(aside, { flag: READ_NO_FOLLOW }));
  if (moved && moved.token !== stale.token) await link(aside, path).catch(() => {});
  await removeQuietly(aside);
}

async function releaseLocalLock(path: string, token: string): Promise<void> {
  const holder = await readHolder(path).catch(() => undefined);
  if (holder && holder.token === token) await unlink(path).catch(() => {});
}
