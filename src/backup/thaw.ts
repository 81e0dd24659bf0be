import type { OperationContext } from '../core/context.js';
import { Aborted, UsageError } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import type { RestoreTier } from '../storage/s3-tiers.js';
import { ARCHIVED_CLASSES, colderThan, type StorageClass } from '../storage/storage-classes.js';
import { backupDir } from './backup-id.js';
import type { BackupManifest } from './manifest.js';

/** How an archived backup is brought back: RestoreObject's tier, how long S3 keeps the copy, how often pgdr looks. */
export interface ThawOptions {
  tier?: RestoreTier;
  /** Days S3 keeps the readable copy (default 2: time to restore, and to restore again if the first attempt fails). */
  days?: number;
  /** Seconds between checks (default 120). */
  pollSeconds?: number;
}

/** What a restore of an archived backup waits for, said before anything starts. */
export interface ThawPlan {
  storageClass: StorageClass;
  /** Archive files without a readable copy yet (some may be on their way). */
  keys: string[];
  tier: RestoreTier;
  /** "typically within 12 hours", from S3's documented retrieval times for the class and tier. */
  expected: string;
}

const EXPECTED: Record<string, Partial<Record<RestoreTier, string>>> = {
  GLACIER: { Expedited: 'typically 1–5 minutes', Standard: 'typically 3–5 hours', Bulk: 'typically 5–12 hours' },
  DEEP_ARCHIVE: { Standard: 'typically within 12 hours', Bulk: 'typically within 48 hours' },
};

/** The archive files of `manifest` that S3 must restore before they can be read; undefined when none must. */
export async function thawPlan(
  repo: Repository,
  manifest: BackupManifest,
  options: ThawOptions = {},
): Promise<ThawPlan | undefined> {
  if (!repo.tiers) return undefined;
  const tier = options.tier ?? 'Standard';
  // One listing says which files sit in an archive class; only those are asked about their restore.
  const listed = await repo.list(backupDir(manifest.id));
  const archived = new Set(
    listed.filter((o) => o.storageClass && ARCHIVED_CLASSES.includes(o.storageClass)).map((o) => o.key),
  );
  const keys: string[] = [];
  let coldest: StorageClass | undefined;
  for (const file of [...manifest.files, ...(manifest.extras ?? [])]) {
    const key = `${backupDir(manifest.id)}${file.path}`;
    if (!archived.has(key)) continue;
    const state = await repo.tiers.state(key);
    if (!state || !ARCHIVED_CLASSES.includes(state.storageClass)) continue;
    if (state.restore && !state.restore.ongoing) continue;
    keys.push(key);
    if (!coldest || colderThan(state.storageClass, coldest)) coldest = state.storageClass;
  }
  if (!coldest) return undefined;
  const expected = EXPECTED[coldest]?.[tier];
  if (!expected)
    throw new UsageError(
      `S3 has no ${tier} retrieval for ${coldest}.`,
      `Use --archive-tier standard (${EXPECTED[coldest]!.Standard}) or bulk (${EXPECTED[coldest]!.Bulk}).`,
    );
  return { storageClass: coldest, keys, tier, expected };
}

/** What a restore plan (and its --json) says about it. */
export function thawSummary(plan: ThawPlan): { storageClass: string; files: number; tier: string; expected: string } {
  return { storageClass: plan.storageClass, files: plan.keys.length, tier: plan.tier, expected: plan.expected };
}

/** The dry run's words for it. */
export function describeThaw(plan: ThawPlan, days: number): string {
  return `Request ${plan.keys.length} archived file(s) back from ${plan.storageClass} (S3 RestoreObject, ${plan.tier} tier, ${plan.expected}; the copy is kept ${days} day(s)), then wait until S3 has made them readable`;
}

/**
 * Requests a readable copy of each archived file (RestoreObject) and waits until S3 has made all of them, saying
 * how long it has waited against the time S3 documents. Ctrl-C stops the waiting only: S3 finishes the restore,
 * and the next restore of the same backup finds the copies ready.
 */
export async function thawBackup(
  repo: Repository,
  plan: ThawPlan,
  options: ThawOptions,
  ctx: OperationContext,
): Promise<void> {
  const tiers = repo.tiers!;
  const days = options.days ?? 2;
  const pollMs = (options.pollSeconds ?? 120) * 1000;
  const started = Date.now();
  for (const key of plan.keys) {
    const answer = await tiers.requestRestore(key, days, plan.tier);
    ctx.log.debug(`RestoreObject ${key}: ${answer}`);
  }
  ctx.log.info(
    `Requested ${plan.keys.length} file(s) back from ${plan.storageClass} (${plan.tier} tier, ${plan.expected}); waiting, checking every ${Math.round(pollMs / 1000)} s. Ctrl-C stops waiting; S3 finishes the restore anyway and a later pgdr restore picks it up.`,
  );
  let pending = [...plan.keys];
  for (;;) {
    const states = await Promise.all(pending.map(async (key) => [key, await tiers.state(key)] as const));
    pending = states.filter(([, s]) => s?.restore?.ongoing !== false).map(([key]) => key);
    const waited = Date.now() - started;
    ctx.progress({
      label: 'archive restore',
      done: plan.keys.length - pending.length,
      total: plan.keys.length,
      unit: 'items',
    });
    if (!pending.length) break;
    ctx.log.info(
      `Still waiting for S3: ${pending.length} of ${plan.keys.length} file(s) not readable yet after ${minutes(waited)} (${plan.expected}).`,
    );
    await sleep(pollMs, ctx.signal).catch(() => {
      throw new Aborted(
        `Stopped waiting for S3 to restore ${pending.length} archived file(s); the restore requests go on. Run the same pgdr restore later: it finds the copies ready.`,
      );
    });
  }
  ctx.log.info(`S3 restored the archived files after ${minutes(Date.now() - started)}; going on with the restore.`);
}

const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
