import { isStale, lockedError, newLockRecord, parseLockRecord } from './lock-record.js';
import type { RepositoryLock } from './repository.js';

/** The few object operations a lock needs, bound to one key. */
export interface LockObject {
  location: string;
  read(): Promise<Buffer | null>;
  /** 'exists' when a conditional create found the key taken. */
  create(body: string): Promise<'created' | 'exists'>;
  remove(): Promise<void>;
}

/**
 * Conditional create (If-None-Match) where the provider supports it; on providers that ignore it, the re-read
 * after writing still catches all but the tightest race.
 */
export async function acquireS3Lock(object: LockObject, name: string): Promise<RepositoryLock> {
  const record = newLockRecord();
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await object.read();
    if (existing !== null) {
      const holder = parseLockRecord(existing);
      if (!holder || !isStale(holder)) throw lockedError(name, object.location, holder);
      const again = await object.read();
      if (again !== null && parseLockRecord(again)?.token === holder.token) await object.remove();
      continue;
    }
    if ((await object.create(JSON.stringify(record))) === 'exists') continue;
    const after = await object.read();
    const winner = after === null ? undefined : parseLockRecord(after);
    if (winner?.token === record.token) return { release: () => releaseS3Lock(object, record.token) };
    throw lockedError(name, object.location, winner);
  }
  const current = await object.read();
  throw lockedError(name, object.location, current === null ? undefined : parseLockRecord(current));
}

async function releaseS3Lock(object: LockObject, token: string): Promise<void> {
  const current = await object.read();
  if (current !== null && parseLockRecord(current)?.token === token) await object.remove();
}
