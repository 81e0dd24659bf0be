import type { Repository } from '../storage/index.js';
import { colderThan, type ColderClass, type StorageClass } from '../storage/storage-classes.js';
import type { LockRequest } from '../storage/object-lock.js';
import { backupDir } from './backup-id.js';
import type { CatalogEntry } from './catalog.js';

/** repository.s3.storageClass: where a backup goes once it is kept only as a monthly or a yearly keeper. */
export interface TierClasses {
  monthly?: ColderClass;
  yearly?: ColderClass;
}

/** What tiering reads of a prune decision. */
interface Decision {
  id: string;
  keep: boolean;
  /** "daily 2025-01-16", "monthly 2025-01", "newest" … */
  reasons: string[];
}

export interface TierMove {
  id: string;
  from: StorageClass;
  to: StorageClass;
}

/**
 * The class a kept backup belongs in: none while any warm reason keeps it (newest, newest verified, daily, weekly:
 * those are what an incident restores), else its yearly class, else its monthly class.
 */
export function tierFor(decision: Decision, classes: TierClasses): StorageClass | undefined {
  if (!decision.keep) return undefined;
  const kinds = decision.reasons.map((r) => r.split(' ')[0]);
  if (!kinds.every((k) => k === 'monthly' || k === 'yearly')) return undefined;
  if (kinds.includes('yearly') && classes.yearly) return classes.yearly;
  return kinds.includes('monthly') ? classes.monthly : undefined;
}

/** The moves a prune makes: kept backups whose archive is warmer than their class. A backup never moves warmer. */
export function planMoves(entries: CatalogEntry[], decisions: Decision[], classes: TierClasses): TierMove[] {
  const byId = new Map(entries.map((e) => [e.manifest.id, e]));
  const moves: TierMove[] = [];
  for (const d of decisions) {
    const to = tierFor(d, classes);
    const from = byId.get(d.id)?.storageClass ?? 'STANDARD';
    if (to && colderThan(to, from)) moves.push({ id: d.id, from, to });
  }
  return moves;
}

/**
 * Rewrites each archive file of the backup in place in its new class (CopyObject). The manifest, SHA256SUMS and
 * verification record stay where they are: listing and checking a backup never waits for an archive restore.
 * A locked object keeps its retention on the new copy.
 */
export async function moveBackup(repo: Repository, entry: CatalogEntry, to: StorageClass): Promise<void> {
  const tiers = repo.tiers;
  if (!tiers) return;
  for (const file of entry.manifest.files) {
    const key = `${backupDir(entry.manifest.id)}${file.path}`;
    const state = await tiers.state(key);
    if (!state || !colderThan(to, state.storageClass)) continue;
    const lock: LockRequest | undefined =
      state.lock?.until && (state.lock.mode === 'governance' || state.lock.mode === 'compliance')
        ? { mode: state.lock.mode, until: state.lock.until }
        : undefined;
    await tiers.moveTo(key, to, state.bytes, lock);
  }
}
