import type { Repository } from '../storage/index.js';
import type { LockState } from '../storage/object-lock.js';
import { backupKeys } from './backup-lock.js';
import type { CatalogEntry } from './catalog.js';

/** What keeps a backup from being deleted right now. */
export interface BackupLock {
  mode: LockState['mode'];
  /** Until when; absent when there is no date (a legal hold, or files made immutable by hand). */
  until?: Date;
  /** Every file of the backup is protected; otherwise a delete could still take part of it and damage it. */
  whole: boolean;
}

const STRENGTH: LockState['mode'][] = ['read-only', 'governance', 'immutable', 'compliance'];

/**
 * Per backup id: S3 from each object's own retention (what the bucket enforces, whatever a manifest says); a local
 * backup while the date its manifest asked for is ahead and its files are sealed, or when someone else made them
 * immutable.
 */
export async function backupLocks(
  repo: Repository,
  entries: CatalogEntry[],
  now: Date = new Date(),
): Promise<Map<string, BackupLock>> {
  const keysOf = new Map(entries.map((e) => [e.manifest.id, backupKeys(e.manifest)]));
  const states = await repo.lockStates([...keysOf.values()].flat());
  const locks = new Map<string, BackupLock>();
  for (const entry of entries) {
    const keys = keysOf.get(entry.manifest.id)!;
    const held = keys.map((k) => states.get(k)).filter((s): s is LockState => !!s);
    if (!held.length) continue;
    const mode = held.reduce((a, b) => (STRENGTH.indexOf(b.mode) > STRENGTH.indexOf(a.mode) ? b : a)).mode;
    const whole = held.length === keys.length;
    if (repo.tiers) {
      const dates = held.map((s) => s.until?.getTime());
      const until = dates.some((d) => d === undefined) ? undefined : new Date(Math.max(...(dates as number[])));
      locks.set(entry.manifest.id, { mode, ...(until ? { until } : {}), whole });
      continue;
    }
    const asked = entry.manifest.lock?.mode === 'local' ? new Date(entry.manifest.lock.until) : undefined;
    if (asked && asked.getTime() > now.getTime()) locks.set(entry.manifest.id, { mode, until: asked, whole });
    // Sealed by pgdr and the date has passed: prune may open it. Made immutable by someone else: it stays.
    else if (mode === 'immutable' && !entry.manifest.lock) locks.set(entry.manifest.id, { mode, whole });
  }
  return locks;
}

/** "locked until 2025-03-01 (compliance)", "immutable (chattr +i), no date". */
export function describeLock(lock: BackupLock): string {
  const how =
    lock.mode === 'immutable'
      ? 'immutable, chattr +i'
      : lock.mode === 'read-only'
        ? 'read-only'
        : `S3 Object Lock, ${lock.mode}`;
  const part = lock.whole ? '' : ', some of its files only';
  return lock.until
    ? `locked until ${lock.until.toISOString().slice(0, 16).replace('T', ' ')} UTC (${how}${part})`
    : `locked with no end date (${how}${part})`;
}
