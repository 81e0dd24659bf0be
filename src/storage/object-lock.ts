import type { Readable } from 'node:stream';
import type { PutStreamOptions, Repository, WriteFileOptions } from './repository.js';

/** S3 Object Lock retention asked of each object a backup writes (local repositories seal after the fact). */
export interface LockRequest {
  /** governance: a principal with s3:BypassGovernanceRetention may still delete; compliance: nobody until `until`. */
  mode: 'governance' | 'compliance';
  until: Date;
}

/** What protects a stored object, file or backup from deletion, as the repository reports it. */
export interface LockState {
  /** S3 Object Lock modes; a local file that is immutable (chattr +i) or only read-only. */
  mode: 'governance' | 'compliance' | 'immutable' | 'read-only';
  /** S3: the retain-until date. Local files keep no date of their own (the manifest records the one asked for). */
  until?: Date;
}

/** How far a local seal went: immutable where chattr +i worked, else read-only. */
export type SealResult = 'immutable' | 'read-only';

/** Keys that are pgdr's own bookkeeping and must stay removable: locks, and the verification record a later verify rewrites. */
const unlocked = (key: string) => key.startsWith('locks/') || key.endsWith('/verification.json');

/**
 * The repository as a backup writing under retention sees it: every object it writes carries the lock (S3 refuses
 * to delete or overwrite it until then), except pgdr's own lock files and verification records.
 */
export function lockedWrites(repo: Repository, lock: LockRequest | undefined): Repository {
  if (!lock || repo.kind !== 's3') return repo;
  const putStream = (key: string, body: Readable, opts: PutStreamOptions = {}) =>
    repo.putStream(key, body, unlocked(key) ? opts : { ...opts, lock });
  const writeFile = (key: string, data: string | Buffer, opts: WriteFileOptions = {}) =>
    repo.writeFile(key, data, unlocked(key) ? opts : { ...opts, lock });
  // Everything else is the repository itself, its methods called on it.
  return new Proxy(repo, {
    get(target, prop) {
      if (prop === 'putStream') return putStream;
      if (prop === 'writeFile') return writeFile;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
