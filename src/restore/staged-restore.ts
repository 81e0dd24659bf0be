import type { OperationContext } from '../core/context.js';
import { formatBytes } from '../core/format-bytes.js';
import { passesChecks } from './archive-checks.js';
import type { Readable } from 'node:stream';
import { blockFeeds, earlyLoad, type EarlyLoad } from './early-load.js';
import { onRestoreLine, pgRestore, type MainRestore } from './main-restore.js';

/**
 * A parallel restore into a database it created, overlapped with the staging instead of queued behind it: the
 * definitions go in as soon as the staged file holds its table of contents, the largest table loads from the staged
 * file as it is written, and the other tables go in with pg_restore --jobs once the whole archive is staged and has
 * matched its sha256; then the indexes and constraints, with --jobs. A failed check stops everything (the database is
 * dropped by the caller) and is the error reported.
 */
export async function restoreFromStaged(main: MainRestore, ctx: OperationContext): Promise<void> {
  const { archive, prepared } = main;
  const early = earlyLoad(prepared.manifest, main.entries, prepared.plan.jobs);
  await pgRestore(main, ['--section=pre-data'], ctx);
  const stop = new AbortController();
  const inner: OperationContext = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) };
  let cause: unknown;
  const fail = (error: unknown): never => {
    cause ??= error;
    stop.abort();
    throw error;
  };
  const first = early ? loadEarly(main, early, inner).catch(fail) : undefined;
  const rest = (async () => {
    await passesChecks(archive, prepared.manifest, ctx);
    await archive.seekable();
    if (!early) return await pgRestore(main, ['--section=data', '--section=post-data'], inner);
    // The indexes and constraints wait for the early table's rows: pg_restore would start them first and block on it.
    await pgRestore(
      main,
      ['--section=data'],
      inner,
      main.entries.filter((e) => e !== early.entry),
    );
  })().catch(fail);
  const [checked] = await Promise.allSettled([archive.checked, rest, first]);
  if (checked.status === 'rejected') throw checked.reason;
  if (cause !== undefined) throw cause;
  if (early) await pgRestore(main, ['--section=post-data'], ctx);
}

/**
 * pg_restore --data-only of the one table, fed the archive's head and that table's block as they are staged; a table
 * holding most of the data is shared out among `parts` of them, side by side.
 */
async function loadEarly(main: MainRestore, early: EarlyLoad, ctx: OperationContext): Promise<void> {
  const { archive } = main;
  const sessions = early.parts > 1 ? `, on ${early.parts} sessions` : '';
  ctx.log.info(
    `Loading ${early.entry.schema}.${early.entry.tag} (${formatBytes(early.end - early.start)}, the largest table${sessions}) as the archive is staged…`,
  );
  const feeds = blockFeeds(archive.path!, early, archive.checked, ctx.signal);
  // Its own pg_restore's lines would read as the main one's to the checks: they are told when it is done instead.
  const args = main.args.filter((a) => !a.startsWith('--jobs='));
  const part = (feed: Readable) =>
    pgRestore(
      { ...main, args },
      ['--data-only'],
      ctx,
      [early.entry],
      { open: async () => feed },
      onRestoreLine(main, false),
    );
  await Promise.all(feeds.map(part));
  main.onLoaded?.(early.entry);
}
