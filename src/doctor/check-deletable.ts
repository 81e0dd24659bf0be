import type { Catalog } from '../backup/index.js';
import { backupLocks, describeLock } from '../backup/locks.js';
import type { Repository } from '../storage/index.js';
import { ok, warning, type Finding } from './finding.js';

const ADVICE_S3 =
  'Lock new backups: repository.lock {days: 30, mode: compliance} in pgdr.config.yaml (or --lock-days 30 --object-lock compliance) on a bucket with Object Lock, so stolen credentials cannot delete them.';
const ADVICE_LOCAL =
  'Lock new backups with repository.lock.days (read-only and chattr +i), run the jobs as a user without root, and keep a copy in an S3 bucket with Object Lock in compliance mode.';

/**
 * Ransomware's first move is the backups: can the newest backup of each database be deleted with what pgdr runs
 * with? On S3 the probe has just deleted an object, so without Object Lock retention it can. Locally chattr +i
 * holds against its owner, but not against root.
 */
export async function checkDeletable(
  repo: Repository,
  catalog: Catalog,
  databases: string[],
  now: Date,
): Promise<Finding[]> {
  const newest = databases
    .map((db) => catalog.backups.filter((b) => b.manifest.database === db).at(-1))
    .filter((b) => b !== undefined);
  const locks = await backupLocks(repo, newest, now);
  return newest.map((entry) => {
    const id = entry.manifest.id;
    const subject = `database ${entry.manifest.database}`;
    const lock = locks.get(id);
    const advice = repo.tiers ? ADVICE_S3 : ADVICE_LOCAL;
    if (!lock)
      return warning(
        'backup.deletable',
        repo.tiers
          ? `the newest backup ${id} can be deleted with the credentials pgdr runs with: it has no Object Lock retention`
          : `the newest backup ${id} can be deleted by the user pgdr runs as: it is neither immutable nor read-only`,
        advice,
        subject,
      );
    const said = describeLock(lock);
    if (!lock.whole || lock.mode === 'read-only')
      return warning('backup.deletable', `the newest backup ${id} can still be deleted: ${said}`, advice, subject);
    if (lock.mode === 'immutable' && process.getuid?.() === 0)
      return warning(
        'backup.deletable',
        `the newest backup ${id} is ${said}, but pgdr runs as root, which can lift the flag and delete it`,
        advice,
        subject,
      );
    const who =
      lock.mode === 'governance'
        ? 'only a principal with s3:BypassGovernanceRetention can delete it before then'
        : 'no credentials can delete it before then';
    return ok('backup.deletable', `the newest backup ${id} is ${said}: ${who}`, subject);
  });
}
