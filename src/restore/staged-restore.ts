import type { OperationContext } from '../core/context.js';
import { passesChecks } from './archive-checks.js';
import { pgRestore, type MainRestore } from './main-restore.js';

/**
 * A parallel restore into a database it created, overlapped with the staging instead of queued behind it: the
 * definitions go in (--section=pre-data) as soon as the staged file holds the table of contents, while the rest is
 * staged and checked; the data, indexes and constraints (--section=data --section=post-data, --jobs, largest first)
 * once the whole archive is staged and has matched its sha256. A failed check is the error (the caller drops the
 * database).
 */
export async function restoreFromStaged(main: MainRestore, ctx: OperationContext): Promise<void> {
  const { archive, prepared } = main;
  const [definitions, checked] = await Promise.allSettled([
    pgRestore(main, ['--section=pre-data'], ctx),
    passesChecks(archive, prepared.manifest, ctx),
  ]);
  if (checked.status === 'rejected') throw checked.reason;
  if (definitions.status === 'rejected') throw definitions.reason;
  await archive.seekable();
  await pgRestore(main, ['--section=data', '--section=post-data'], ctx);
}
