import { randomBytes } from 'node:crypto';
import type { Repository } from './repository.js';

/** Reachable and writable means a small object can be written, read back and removed. */
export async function probeByRoundTrip(repo: Pick<Repository, 'writeFile' | 'readFile' | 'remove'>): Promise<void> {
  const key = `.pgdr-probe-${randomBytes(6).toString('hex')}`;
  await repo.writeFile(key, 'probe');
  try {
    await repo.readFile(key);
  } finally {
    await repo.remove([key]);
  }
}
