import type { Repository } from '../storage/index.js';
import { UsageError } from '../core/errors.js';
import { FILES_LOCK, listFileSnapshots, readFilesManifest, SNAPSHOTS } from './files-manifest.js';

export interface PruneFilesResult {
  kept: string[];
  removed: string[];
  /** Stored objects no kept snapshot refers to. */
  objectsRemoved: number;
  dryRun: boolean;
}

/**
 * Keeps the newest `keepLast` snapshots and deletes stored objects none of them refers to. Snapshots go first, so
 * a crash in between leaves unreferenced objects (removed next time), never a snapshot pointing at nothing.
 */
export async function pruneStorageFiles(
  repo: Repository,
  options: { keepLast: number; dryRun?: boolean },
): Promise<PruneFilesResult> {
  if (!Number.isInteger(options.keepLast) || options.keepLast < 1)
    throw new UsageError('--keep-last must be a whole number of at least 1.');
  // A backup running now has copied objects its snapshot does not list yet: never collect under it.
  const lock = options.dryRun ? undefined : await repo.lock(FILES_LOCK);
  try {
    const ids = await listFileSnapshots(repo);
    const kept = ids.slice(-options.keepLast);
    const removed = ids.slice(0, Math.max(0, ids.length - options.keepLast));
    const referenced = new Set<string>();
    for (const id of kept) for (const o of (await readFilesManifest(repo, id)).objects) referenced.add(o.stored);
    const orphans = (await repo.list('files/objects/')).map((o) => o.key).filter((k) => !referenced.has(k));
    if (!options.dryRun) {
      await repo.remove(removed.map((id) => `${SNAPSHOTS}${id}.json`));
      await repo.remove(orphans);
    }
    return { kept, removed, objectsRemoved: orphans.length, dryRun: Boolean(options.dryRun) };
  } finally {
    await lock?.release();
  }
}
