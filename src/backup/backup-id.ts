import type { BackupKind } from './manifest.js';

/** `20250116T143022Z-full-<db>`: sorts by time, says what it is. */
export function makeBackupId(kind: BackupKind | 'safety', database: string, at: Date = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${kind}-${safeName(database)}`;
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
