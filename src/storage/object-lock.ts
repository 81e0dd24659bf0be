import type { Readable } from 'node:stream';
import type { PutStreamOptions, Repository, WriteFileOptions } from './repository.js';
import type { LockRequest } from './lock-types.js';

export type { LockRequest, LockState, SealResult } from './lock-types.js';

/** Keys that are pgdr's own bookkeeping and must stay removable: locks, and the verification record a later verify rewrites. */
const unlocked = (key: string) => key.startsWith('locks/') || key.endsWith('/verification.json');

/**
 * The repository as a backup writing under retention sees it: every object it writes carries the lock (S3 refuses
 * to delete or overwrite it until then), except pgdr's own lock files and verification records.
 */
export function lockedWrites(repo: Repository, lock: LockRequest | undefined): Repository {
  if (!lock || !repo.tiers) return repo;
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
