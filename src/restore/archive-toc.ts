import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationContext } from '../core/context.js';
import { isPgdrError, PgdrError } from '../core/errors.js';
import { ProcessFailed } from '../core/system.js';
import { withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import type { ArchiveSource } from './archive-source.js';
import { runPgRestore } from './pg-restore.js';
import { attachDependencies, parseTocList, renderList, type TocEntry } from './toc.js';

/** `pg_restore --list` (and, when entries are chosen by table, the schema script for dependencies). */
export async function readToc(
  source: ArchiveSource,
  toolPath: string,
  target: DbTarget,
  withDeps: boolean,
  ctx: OperationContext,
): Promise<TocEntry[]> {
  try {
    const entries = parseTocList(
      await runPgRestore(source, { toolPath, target, args: ['--list'], capture: true }, ctx),
    );
    // An empty list is a backup of an empty database; a damaged archive makes pg_restore --list fail instead.
    if (withDeps)
      attachDependencies(
        entries,
        await runPgRestore(
          source,
          { toolPath, target, args: ['--schema-only', '--verbose', '--file=-'], capture: true },
          ctx,
        ),
      );
    return entries;
  } catch (error) {
    if (isPgdrError(error) && !(error instanceof ProcessFailed)) throw error;
    throw new PgdrError(`pg_restore cannot read the archive's table of contents: ${(error as Error).message}`, {
      hint: 'The archive is damaged or not a pg_dump custom-format file; nothing was restored. Use an older backup.',
      cause: error,
    });
  }
}

/** A --use-list file in a private temporary directory, removed by `remove`. */
export async function writeListFile(entries: TocEntry[]): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(process.env.PGDR_STAGING_DIR ?? tmpdir(), 'pgdr-list-'));
  const path = join(dir, 'restore.list');
  await writeFile(path, renderList(entries), { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Object owners the archive names that the server lacks; restoring ownership would fail on them. */
export async function missingOwners(entries: TocEntry[], server: DbTarget): Promise<string[]> {
  // The owner is the last field; objects without one (extensions, their comments) end in an empty field.
  const owners = [...new Set(entries.map((e) => e.line.split(' ').at(-1)!.trim()).filter((o) => o && o !== '-'))];
  if (!owners.length) return [];
  const present = await withClient(
    server,
    async (c) =>
      new Set(
        (await c.query<{ r: string }>('select rolname as r from pg_roles where rolname = any($1)', [owners])).rows.map(
          (r) => r.r,
        ),
      ),
  );
  return owners.filter((o) => !present.has(o));
}
