import { UsageError } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import type { LockRequest, SealResult } from '../storage/object-lock.js';
import { backupDir } from './backup-id.js';
import { CHECKSUMS, MANIFEST, type BackupManifest } from './manifest.js';

/** `--lock-days N [--object-lock governance|compliance]`, or repository.lock in the config. */
export interface LockOption {
  days: number;
  mode?: 'governance' | 'compliance';
}

export interface PlannedLock {
  /** What S3 is asked for on each object; none for a local repository (sealed after the manifest). */
  request?: LockRequest;
  record: NonNullable<BackupManifest['lock']>;
}

/**
 * The lock a new backup (or export) gets, checked before anything runs: S3 needs a mode and a bucket with Object
 * Lock enabled, or every write would fail halfway through the dump.
 */
export async function planLock(
  repo: Repository,
  option: LockOption | undefined,
  at: Date,
): Promise<PlannedLock | undefined> {
  if (!option) return undefined;
  if (!Number.isInteger(option.days) || option.days < 1 || option.days > 36500)
    throw new UsageError(`--lock-days must be a whole number of days from 1 to 36500, not "${option.days}".`);
  const until = new Date(at.getTime() + option.days * 86_400_000);
  if (!repo.tiers) return { record: { mode: 'local', until: until.toISOString() } };
  if (!option.mode)
    throw new UsageError(
      'A lock on an S3 repository needs its Object Lock mode.',
      'Add --object-lock governance (a principal with s3:BypassGovernanceRetention can still delete) or --object-lock compliance (nobody can, until the date), or repository.lock.mode in the config.',
    );
  if (!(await repo.tiers?.objectLockEnabled()))
    throw new UsageError(
      `The bucket of ${repo.url} does not have Object Lock enabled, so nothing can be locked in it.`,
      'Enable Object Lock on the bucket (aws s3api put-object-lock-configuration; it needs versioning), or use a bucket created with it; or drop --lock-days.',
    );
  return { request: { mode: option.mode, until }, record: { mode: option.mode, until: until.toISOString() } };
}

/** The keys of a backup's own files: what a lock protects and a prune removes. */
export function backupKeys(manifest: BackupManifest): string[] {
  const dir = backupDir(manifest.id);
  return [...manifest.files, ...(manifest.extras ?? [])]
    .map((f) => `${dir}${f.path}`)
    .concat(`${dir}${CHECKSUMS}`, `${dir}${MANIFEST}`);
}

/** Local repositories: the finished backup's files made read-only and immutable where possible. S3 locked them as written. */
export async function sealBackup(repo: Repository, manifest: BackupManifest): Promise<SealResult | undefined> {
  return repo.seal ? await repo.seal(backupKeys(manifest)) : undefined;
}
