import type { OperationContext } from '../core/context.js';
import { Aborted, UsageError } from '../core/errors.js';
import { conninfoDatabase, withDatabase } from '../pg/connection.js';
import type { ArchiveSource } from './archive-source.js';
import { writeListFile } from './archive-toc.js';
import type { PreparedRestore } from './plan.js';
import { runPgRestore } from './pg-restore.js';
import { copyRows, type RowsOutcome, type tableShape } from './rows.js';
import type { RowsContent } from './request.js';
import { createDatabase, createSchemas, dropDatabase } from './target-db.js';
import { schemasNotCreated, selectTables, withoutDanglingForeignKeys, type TocEntry } from './toc.js';
import { printable } from '../core/printable.js';

/** --rows: the table alone into a scratch database on the same server, the matching rows copied over, the scratch dropped. */
export async function restoreRows(
  input: {
    prepared: PreparedRestore;
    rows: RowsContent;
    archive: ArchiveSource;
    toc: TocEntry[];
    shape: Awaited<ReturnType<typeof tableShape>>;
  },
  ctx: OperationContext,
): Promise<RowsOutcome> {
  const { prepared } = input;
  const { table, where, onConflict } = input.rows;
  const selection = selectTables(input.toc, [table], { standalone: true });
  if (selection.missing.length)
    throw new UsageError(
      `Backup ${prepared.manifest.id} has no table ${printable(table)}.`,
      "Name it as schema.table, as in the backup's manifest.",
    );
  const server = prepared.request.target;
  const scratchName = `pgdr_rows_${process.pid}_${Date.now().toString(36)}`;
  const scratch = withDatabase(server, scratchName);
  // Only the table is wanted: a foreign key to another table, or its schema missing from a tables backup, must not stop it.
  const { entries } = withoutDanglingForeignKeys(selection.entries);
  const list = await writeListFile(entries);
  ctx.log.info(`Restoring ${table} into scratch database ${scratchName}…`);
  await createDatabase(server, scratchName);
  try {
    await createSchemas(scratch, schemasNotCreated(entries, input.toc));
    await runPgRestore(
      input.archive,
      {
        toolPath: prepared.pgRestore.path,
        target: scratch,
        args: [
          '--no-owner',
          '--no-acl',
          '--exit-on-error',
          `--use-list=${list.path}`,
          `--dbname=${conninfoDatabase(scratchName)}`,
        ],
        settings: prepared.settings,
      },
      ctx,
    );
    ctx.log.info(`Copying rows of ${table} where ${where} into ${prepared.plan.database}…`);
    const outcome = await copyRows(
      {
        psqlPath: prepared.psql.path,
        scratch,
        target: prepared.into,
        table,
        where,
        onConflict,
        shape: input.shape,
      },
      ctx,
    );
    ctx.log.info(
      `${outcome.matched} row(s) matched: ${outcome.inserted} came back, ${outcome.skipped} already there (skipped), ${outcome.overwritten} overwritten.`,
    );
    return outcome;
  } catch (error) {
    if (ctx.signal.aborted)
      throw new Aborted(
        `Row restore interrupted; ${prepared.plan.database} was not changed (the copy runs in one transaction).`,
      );
    throw error;
  } finally {
    await list.remove();
    await dropDatabase(server, scratchName).catch((e) =>
      ctx.log.error(`Could not drop scratch database ${scratchName}: ${(e as Error).message}`),
    );
  }
}
