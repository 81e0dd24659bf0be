import type { OperationContext } from '../core/context.js';
import { ChecksumMismatch, UsageError } from '../core/errors.js';
import { requireKeys } from '../backup/archive.js';
import { thawBackup } from '../backup/thaw.js';
import { prepareArchive, type ArchiveSource } from './archive-source.js';
import { missingOwners, readDatabaseProperties, readToc } from './archive-toc.js';
import { planRestore, pgRestoreArgs, type PreparedRestore } from './plan.js';
import { newDbFailure, restoreInPlace, restoreIntoNewDb } from './restore-modes.js';
import type { MainRestore } from './main-restore.js';
import { passesChecks } from './archive-checks.js';
import { clearIncomplete } from './incomplete-mark.js';
import { applyDatabaseProperties, propertyStatements, type DatabaseProperties } from './database-properties.js';
import { restoreRows } from './restore-rows.js';
import { adminTarget } from './target-db.js';
import { analyzeDatabase } from './row-counts.js';
import { RestoredTableChecker } from './table-checker.js';
import { tableShape } from './rows.js';
import { selectForSupabase } from './supabase.js';
import { schemasNotCreated, selectTables, tocTables, withoutDanglingForeignKeys, type TocEntry } from './toc.js';
import { manifestTables, tableLabel, type ManifestTable, type TableName } from '../backup/manifest-tables.js';
import type { RestoreResult } from './types.js';
import { cleans, contentOf, type BackupRestoreRequest } from './request.js';
import { PhaseClock } from './restore-phases.js';
import { foreseeRestore, keepTiming, restoreShape } from './restore-timing.js';
import { printable } from '../core/printable.js';

/**
 * Restores a backup: checks everything it can before the first change (tools, checksums, decryption, the table of
 * contents), then restores into a new database, in place, or just some rows, and compares row counts with the manifest.
 */
export async function restoreBackup(request: BackupRestoreRequest, outer: OperationContext): Promise<RestoreResult> {
  const started = Date.now();
  const clock = new PhaseClock(started);
  const ctx = clock.follow(outer);
  const prepared = await planRestore(request, (line) => ctx.log.warn(line));
  const { plan, manifest } = prepared;
  const content = contentOf(request);
  const result: RestoreResult = {
    ok: true,
    dryRun: Boolean(request.dryRun),
    backupId: manifest.id,
    recoveryPoint: manifest.snapshotTime,
    database: plan.database,
    mode: plan.mode,
    what: plan.what,
    durationMs: 0,
    tables: [],
    mismatches: 0,
    warnings: [],
    plan,
  };
  // A whole database's restore is timed and predicted; a part of one is not comparable with it.
  const timed = content.what === 'full';
  if (timed) result.prediction = await foreseeRestore(prepared, ctx);
  if (request.dryRun) return { ...result, durationMs: Date.now() - started };

  requireKeys(manifest, request.keys ?? {});
  if (prepared.thaw) await thawBackup(prepared.repo, prepared.thaw, request.archive ?? {}, ctx);
  const shape = content.what === 'rows' ? await tableShape(prepared.into, content.table) : undefined;
  // Into a database it creates, the restore starts while the archive is still checked (the database is dropped if it
  // fails the check); anything else waits for the check before its first change.
  const overlap = plan.checksum === 'alongside';
  ctx.log.info(
    `Checking backup ${manifest.id} (${plan.source === 'materialize' ? 'checksum, decrypt and decompress for parallel restore' : 'checksum'}${overlap ? ', while the restore starts' : ''})…`,
  );
  const archive = prepareArchive(
    prepared.repo,
    manifest,
    request.keys ?? {},
    plan.source === 'materialize' ? 'materialize' : 'stream',
    ctx,
  );
  let checker: RestoredTableChecker | undefined;
  try {
    if (!overlap) await passesChecks(archive, manifest, ctx);
    await archive.readable;
    // A tables backup holds foreign keys to tables it does not: the schema script says which.
    const byTable = plan.what === 'tables' || plan.what === 'rows' || manifest.kind === 'tables';
    const { toc, database } = await readToc(archive, prepared.pgRestore.path, prepared.into, byTable, ctx);
    ctx.log.info(`Table of contents read: ${toc.length} entries.`);
    if (content.what === 'rows') {
      result.rows = await restoreRows({ prepared, rows: content, archive, toc, shape: shape! }, ctx);
      return { ...result, durationMs: Date.now() - started };
    }
    const properties =
      request.into === 'supabase'
        ? undefined
        : await readDatabaseProperties(archive, prepared.pgRestore.path, prepared.into, database, ctx);
    const expected = manifestTables(manifest, tocTables(toc));
    const { entries, only, leftOut } = chooseEntries(prepared, toc, expected);
    if (leftOut.length)
      result.warnings.push(
        `Not restored, because each needs a table that is not restored with it: ${leftOut.join('; ')}.`,
      );
    const args = pgRestoreArgs(plan, request);
    const missing = await missingOwners(entries ?? toc, adminTarget(request.target));
    if (missing.length) {
      result.warnings.push(
        `Roles ${missing.join(', ')} do not exist on the target server: restored without ownership and grants (--no-owner --no-acl).`,
      );
      args.unshift('--no-owner', '--no-acl');
    }
    // One transaction (--into-supabase) shows its rows only at commit, so those are counted after it.
    checker =
      plan.what === 'schema'
        ? undefined
        : new RestoredTableChecker(
            prepared.into,
            entries ?? toc,
            expected,
            checkSessionSettings(prepared),
            plan.mode === 'new-db',
          );
    const main: MainRestore = {
      prepared,
      archive,
      args,
      entries: entries ?? toc,
      selected: entries !== undefined,
      cleanEntries: (entries ?? toc).filter((e) => plan.what !== 'tables' || e.desc === 'TABLE'),
      schemas: schemasNotCreated(entries ?? toc, toc),
      result,
      onLine: request.into === 'supabase' ? undefined : checker?.onLine,
    };
    if (plan.mode === 'new-db') await restoreIntoNewDb(main, ctx);
    else await restoreInPlace(main, ctx);
    ctx.stage?.('loaded');
    if (checker)
      await verifyRestored(prepared, checker, only, result, ctx).catch(async (error) => {
        throw plan.mode === 'new-db' ? await newDbFailure(prepared, error, ctx) : error;
      });
    await databaseLevel(prepared, properties, result);
    if (timed && result.ok)
      result.timing = await keepTiming(prepared.repo, manifest, restoreShape(prepared), clock, ctx);
    return { ...result, durationMs: Date.now() - started };
  } catch (error) {
    throw await clearerVerdict(archive, error, ctx);
  } finally {
    await checker?.close();
    await archive.cleanup();
  }
}

/**
 * A damaged archive read while it is still being checked fails wherever it is read first (pg_restore's table of
 * contents, a COPY): the failed check says what happened, so it is the error, unless the operator stopped the restore.
 */
async function clearerVerdict(archive: ArchiveSource, error: unknown, ctx: OperationContext): Promise<unknown> {
  if (ctx.signal.aborted || error instanceof ChecksumMismatch) return error;
  const check = (await Promise.allSettled([archive.checked]))[0];
  return check.status === 'rejected' && check.reason instanceof ChecksumMismatch ? check.reason : error;
}

/** The TOC entries to restore (undefined: all of them), the tables whose row counts must match, and what was left out. */
function chooseEntries(
  prepared: PreparedRestore,
  toc: TocEntry[],
  expected: ManifestTable[],
): { entries?: TocEntry[]; only?: TableName[]; leftOut: string[] } {
  const { request, plan } = prepared;
  const content = contentOf(request);
  if (request.into === 'supabase') return { entries: selectForSupabase(toc), leftOut: [] };
  if (content.what !== 'tables')
    return prepared.manifest.kind === 'tables' && plan.mode === 'new-db'
      ? withoutDanglingForeignKeys(toc)
      : { leftOut: [] };
  const selection = selectTables(toc, content.tables, { standalone: !cleans(request) });
  if (selection.missing.length) {
    throw new UsageError(
      `Backup ${prepared.manifest.id} has no table ${selection.missing.map(printable).join(', ')}.`,
      {
        hint: `Name tables as schema.table, quoting a part that holds a dot or capitals ("s.p"."Orders"); the backup has ${expected
          .slice(0, 5)
          .map(tableLabel)
          .join(', ')}….`,
      },
    );
  }
  return { entries: selection.entries, only: selection.tables, leftOut: selection.leftOut };
}

/**
 * A new database gets the source database's settings, privileges, owner and comment (the comment replaces the
 * "incomplete restore" mark); in place, the database keeps its own and the summary lists the backup's.
 */
async function databaseLevel(
  prepared: PreparedRestore,
  properties: DatabaseProperties | undefined,
  result: RestoreResult,
): Promise<void> {
  const { plan, request } = prepared;
  if (!properties) return void (plan.mode === 'new-db' && (await clearIncomplete(request.target, plan.database)));
  const statements = propertyStatements(plan.database, properties);
  if (properties.unknown.length)
    result.warnings.push(`Database-level statements of the backup not restored: ${properties.unknown.join('; ')}.`);
  if (plan.mode !== 'new-db') return void (result.databaseSettings = { applied: false, statements });
  const failed = await applyDatabaseProperties(request.target, plan.database, properties);
  result.databaseSettings = { applied: true, statements };
  if (failed.length) result.warnings.push(`Database settings not restored: ${failed.join('; ')}.`);
}

async function verifyRestored(
  prepared: PreparedRestore,
  checker: RestoredTableChecker,
  only: TableName[] | undefined,
  result: RestoreResult,
  ctx: OperationContext,
): Promise<void> {
  ctx.log.info(`ANALYZE ${prepared.plan.database} and row counts…`);
  result.tables = await checker.finish(only, prepared.plan.jobs);
  // Tables checked during the restore are analyzed already; partitioned parents and the rest are done here.
  await analyzeDatabase(prepared.into, prepared.plan.jobs, checkSessionSettings(prepared), checker.analyzed);
  result.mismatches = result.tables.filter((t) => !t.ok).length;
  result.ok = result.mismatches === 0;
}

/**
 * pg_restore's session settings minus what only the load needs (session_replication_role for --into-supabase), and
 * no parallel workers: the checks run beside pg_restore's jobs, which already use the cores, and a count(*) that
 * starts workers only adds processes competing with them.
 */
function checkSessionSettings(prepared: PreparedRestore): Record<string, string> {
  const settings = Object.fromEntries(
    Object.entries(prepared.settings).filter(([k]) => k !== 'session_replication_role'),
  );
  return { ...settings, max_parallel_workers_per_gather: '0' };
}
