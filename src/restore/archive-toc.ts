import { writeFile } from 'node:fs/promises';
import { makeStagingDir } from '../core/staging.js';
import { join } from 'node:path';
import type { OperationContext } from '../core/context.js';
import { isPgdrError, PgdrError } from '../core/errors.js';
import { ProcessFailed } from '../core/system.js';
import { withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import type { ArchiveSource } from './archive-source.js';
import { runPgRestore } from './pg-restore.js';
import { attachDependencies, parseTocList, renderList, type TocEntry } from './toc.js';
import { isDatabaseEntry, parseDatabaseProperties, type DatabaseProperties } from './database-properties.js';

/**
 * `pg_restore --create --list` (and, when entries are chosen by table, the schema script for dependencies). The
 * entries about the database itself, which only --create lists, come apart from the others.
 */
export async function readToc(
  source: ArchiveSource,
  toolPath: string,
  target: DbTarget,
  withDeps: boolean,
  ctx: OperationContext,
): Promise<{ toc: TocEntry[]; database: TocEntry[] }> {
  try {
    const all = parseTocList(
      await runPgRestore(source, { toolPath, target, args: ['--create', '--list'], capture: true }, ctx),
    );
    const entries = all.filter((e) => !isDatabaseEntry(e));
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
    return { toc: entries, database: all.filter(isDatabaseEntry) };
  } catch (error) {
    if (isPgdrError(error) && !(error instanceof ProcessFailed)) throw error;
    throw new PgdrError(`pg_restore cannot read the archive's table of contents: ${(error as Error).message}`, {
      hint: 'The archive is damaged or not a pg_dump custom-format file; nothing was restored. Use an older backup.',
      cause: error,
    });
  }
}

/** The database's own settings, comment, owner and privileges, read from the archive's script of those entries. */
export async function readDatabaseProperties(
  source: ArchiveSource,
  toolPath: string,
  target: DbTarget,
  entries: TocEntry[],
  ctx: OperationContext,
): Promise<DatabaseProperties | undefined> {
  if (!entries.some((e) => e.desc !== 'DATABASE')) return undefined;
  const list = await writeListFile(entries);
  try {
    const script = await runPgRestore(
      source,
      { toolPath, target, args: ['--create', '--schema-only', '--file=-', `--use-list=${list.path}`], capture: true },
      ctx,
    );
    return parseDatabaseProperties(script);
  } finally {
    await list.remove();
  }
}

/** A --use-list file in a private temporary directory, removed by `remove`. */
export async function writeListFile(entries: TocEntry[]): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = makeStagingDir('list');
  const path = join(dir.path, 'restore.list');
  await writeFile(path, renderList(entries), { mode: 0o600, flag: 'wx' });
  return { path, remove: async () => dir.remove() };
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
