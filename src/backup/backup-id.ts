import { StorageError } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import type { BackupKind } from './manifest.js';

/** `20250116T143022Z-full-<db>`: sorts by time, says what it is. */
export function makeBackupId(kind: BackupKind | 'safety', database: string, at: Date = new Date()): string {
  return `${timeStamp(at)}-${kind}-${safeName(database)}`;
}

/** A database name as it may appear in a key or file name. */
export function safeName(database: string): string {
  return database.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'db';
}

/** Whether an id names a backup of this database: `orders` is not the database of `…-full-old-orders`. */
export function isBackupOf(id: string, database: string): boolean {
  return /^\d{8}T\d{6}Z-(?:full|schema|tables|safety)-(.+)$/.exec(id)?.[1] === safeName(database);
}

export function backupTime(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

export const backupDir = (id: string) => `backups/${id}/`;

/**
 * Claims the directory of a new backup or export. Ids have one-second resolution and are predictable, so a directory
 * that exists already (another one within the same second, or something planted) is never reused: the next second's
 * is tried. Returns the id.
 */
export async function claimNewDir(
  repo: Repository,
  at: Date,
  idAt: (time: Date) => string,
  dirOf: (id: string) => string,
  what = 'a backup',
): Promise<string> {
  let id = idAt(at);
  for (let attempt = 1; !(await repo.claimDir(dirOf(id))); attempt++) {
    if (attempt >= 5)
      throw new StorageError(`${repo.url}/${dirOf(id)} and the directories of the seconds before it exist already.`, {
        hint: `pgdr never writes ${what} into a directory it did not create. Look at what put them there, then retry.`,
      });
    await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
    id = idAt(new Date());
  }
  return id;
}

/** `20250116T143022Z`: the time part of an id. */
export function timeStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
