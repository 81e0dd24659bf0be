import type { Repository } from '../storage/index.js';
import { printable } from '../core/printable.js';
import { backupDir } from './backup-id.js';
import { backupKeys } from './backup-lock.js';
import { listBackups, type CatalogEntry, type DamagedBackup } from './catalog.js';
import { backupLocks, describeLock } from './locks.js';
import { moveBackup, planMoves, type TierClasses, type TierMove } from './tiering.js';

/** Grandfather-father-son, as the seeds keep them: 7 daily, 4 weekly, 12 monthly, 5 yearly. */
export interface RetentionPolicy {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  keepYearly: number;
  /** When set, replaces the calendar policy: keep everything younger than this many days. */
  retentionDays?: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 5 };

export interface PruneDecision {
  id: string;
  database: string;
  kind: string;
  snapshotTime: string;
  bytes: number;
  keep: boolean;
  /** Why it stays ("daily 2025-01-16", "newest verified") or goes ("outside policy"). */
  reasons: string[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const month = (d: Date) => d.toISOString().slice(0, 7);
const year = (d: Date) => d.toISOString().slice(0, 4);
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dayNum = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dayNum);
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  return `${t.getUTCFullYear()}-W${String(Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7)).padStart(2, '0')}`;
}

const byId = (a: CatalogEntry, b: CatalogEntry) => (a.manifest.id < b.manifest.id ? -1 : 1);

/**
 * Decides per database and kind. The newest backup and the newest verified backup of each group always stay,
 * whatever the policy says: a prune must never leave a database with nothing known to restore.
 */
export function planRetention(
  entries: CatalogEntry[],
  policy: RetentionPolicy,
  now: Date = new Date(),
): PruneDecision[] {
  const groups = new Map<string, CatalogEntry[]>();
  for (const e of entries) {
    const key = `${e.manifest.database}\u0000${e.manifest.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const decisions: PruneDecision[] = [];
  for (const group of groups.values()) {
    const newestFirst = [...group].sort(
      (a, b) => Date.parse(b.manifest.snapshotTime) - Date.parse(a.manifest.snapshotTime) || byId(b, a),
    );
    const reasons = new Map<string, string[]>(newestFirst.map((e) => [e.manifest.id, []]));
    const keep = (e: CatalogEntry, why: string) => reasons.get(e.manifest.id)!.push(why);
    keep(newestFirst[0]!, 'newest');
    const verified = newestFirst.find((e) => e.verification?.ok);
    if (verified) keep(verified, 'newest verified');
    if (policy.retentionDays !== undefined) {
      const cutoff = now.getTime() - policy.retentionDays * 86_400_000;
      for (const e of newestFirst)
        if (new Date(e.manifest.snapshotTime).getTime() >= cutoff) keep(e, `younger than ${policy.retentionDays} days`);
    } else {
      const buckets: [string, number, (d: Date) => string][] = [
        ['daily', policy.keepDaily, day],
        ['weekly', policy.keepWeekly, isoWeek],
        ['monthly', policy.keepMonthly, month],
        ['yearly', policy.keepYearly, year],
      ];
      for (const [name, count, bucketOf] of buckets) {
        const seen = new Set<string>();
        for (const e of newestFirst) {
          const bucket = bucketOf(new Date(e.manifest.snapshotTime));
          if (seen.has(bucket)) continue;
          if (seen.size >= count) break;
          seen.add(bucket);
          keep(e, `${name} ${bucket}`);
        }
      }
    }
    for (const e of newestFirst) {
      const why = reasons.get(e.manifest.id)!;
      decisions.push({
        id: e.manifest.id,
        database: e.manifest.database,
        kind: e.manifest.kind,
        snapshotTime: e.manifest.snapshotTime,
        bytes: e.manifest.bytes,
        keep: why.length > 0,
        reasons: why.length ? why : ['outside the retention policy'],
      });
    }
  }
  return decisions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface PruneResult {
  decisions: PruneDecision[];
  removed: string[];
  /** Backups the policy would remove but a lock keeps: id and until when (absent: no end date). */
  locked: { id: string; until?: string; mode: string }[];
  /** Kept backups moved (or, dry run, to be moved) to their retention class's storage class. */
  moved: TierMove[];
  /** Leftovers of failed backups (no manifest) older than a day, removed too. */
  removedIncomplete: string[];
  /** Directories whose manifest does not check out: kept, whatever the policy, and named here. */
  damaged: DamagedBackup[];
  warnings: string[];
  freedBytes: number;
}

/**
 * Removes only what it parsed, checked against its own directory and decided on: a damaged manifest is a reason to
 * keep and report a backup, never to remove it.
 */
export async function prune(
  repo: Repository,
  policy: RetentionPolicy,
  options: { dryRun?: boolean; now?: Date; storageClasses?: TierClasses } = {},
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const catalog = await listBackups(repo, now);
  const decisions = planRetention(catalog.backups, policy, now);
  const byId = new Map(catalog.backups.map((e) => [e.manifest.id, e]));
  const warnings = [...catalog.warnings];
  // What the bucket (or the file system) protects stays, whatever the policy: prune says until when.
  const locks = await backupLocks(
    repo,
    decisions.filter((d) => !d.keep).map((d) => byId.get(d.id)!),
    now,
  );
  const locked: PruneResult['locked'] = [];
  for (const d of decisions) {
    const lock = locks.get(d.id);
    if (d.keep || !lock) continue;
    d.keep = true;
    d.reasons = [describeLock(lock)];
    locked.push({ id: d.id, mode: lock.mode, ...(lock.until ? { until: lock.until.toISOString() } : {}) });
  }
  const doomed = decisions.filter((d) => !d.keep);
  // A directory without a manifest younger than a day may be a backup still running.
  const stale = catalog.incomplete
    .filter((i) => i.startedAt && now.getTime() - i.startedAt.getTime() > 86_400_000)
    .map((i) => i.id);
  const removed: string[] = [];
  if (!options.dryRun) {
    for (const d of doomed) {
      try {
        // A local backup sealed read-only or immutable whose lock has run out is opened up first.
        await repo.unseal?.(backupKeys(byId.get(d.id)!.manifest));
        await repo.removePrefix(backupDir(d.id));
        removed.push(d.id);
      } catch (error) {
        d.keep = true;
        d.reasons = [`could not be removed: ${printable((error as Error).message)}`];
        warnings.push(`Could not remove backup ${d.id}: ${printable((error as Error).message)}`);
      }
    }
    for (const id of stale) await repo.removePrefix(backupDir(id));
  } else removed.push(...doomed.map((d) => d.id));
  const moved =
    options.storageClasses && repo.tiers ? planMoves(catalog.backups, decisions, options.storageClasses) : [];
  if (!options.dryRun) for (const m of moved) await moveBackup(repo, byId.get(m.id)!, m.to);
  for (const m of moved) decisions.find((d) => d.id === m.id)!.reasons.push(`→ ${m.to}`);
  return {
    decisions,
    removed,
    locked,
    moved,
    removedIncomplete: stale,
    damaged: catalog.damaged,
    warnings,
    freedBytes: decisions.filter((d) => removed.includes(d.id)).reduce((s, d) => s + d.bytes, 0),
  };
}
