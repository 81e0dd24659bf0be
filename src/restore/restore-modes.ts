import type { OperationContext } from '../core/context.js';
import { Aborted, ChecksumMismatch, isPgdrError, PgdrError } from '../core/errors.js';
import { takeBackup } from '../backup/take-backup.js';
import { quoteIdent } from '../pg/client.js';
import { dropObjects } from './pre-clean.js';
import type { PreparedRestore } from './plan.js';
import { pgRestore, type MainRestore } from './main-restore.js';
import { restoreFromStaged } from './staged-restore.js';
import { passesChecks, whileChecked } from './archive-checks.js';
import { applyRoles, readRolesScript } from './supabase.js';
import { blockConnections, createDatabase, createSchemas, otherSessions, terminateSessions } from './target-db.js';
import { dropHalfRestored, markIncomplete } from './incomplete-mark.js';
import { cleans, takesSafetySnapshot } from './request.js';

const reason = (error: unknown) => (error as Error).message;

/** Creates the database and restores into it; any failure or Ctrl-C drops it again, so nothing half-made stays. */
export async function restoreIntoNewDb(main: MainRestore, ctx: OperationContext): Promise<void> {
  const { prepared } = main;
  const name = prepared.plan.database;
  ctx.log.info(`Creating database ${name}…`);
  await createDatabase(prepared.request.target, name);
  try {
    await markIncomplete(prepared.request.target, name, prepared.manifest.id);
    if (main.schemas.length) {
      ctx.log.info(`Creating schema(s) ${main.schemas.join(', ')}: the backup holds objects in them, not the schemas.`);
      await createSchemas(prepared.into, main.schemas);
    }
    await restoreRoles(main, ctx);
    ctx.log.info(`Restoring into ${name} (${prepared.plan.jobs} job(s))…`);
    const { archive } = main;
    if (archive.how === 'stream')
      return await whileChecked(archive, prepared.manifest, (inner) => pgRestore(main, [], inner), ctx);
    const skipsWal = prepared.request.into === 'new-db' && prepared.request.skipsWal;
    if (archive.how === 'file' && !main.args.includes('--schema-only') && !skipsWal)
      return await restoreFromStaged(main, ctx);
    await passesChecks(archive, prepared.manifest, ctx);
    await archive.seekable();
    await pgRestore(main, [], ctx);
  } catch (error) {
    throw await newDbFailure(prepared, error, ctx);
  }
}

/** The error for a failed restore into a new database, after dropping it; says plainly when the drop failed too. */
export async function newDbFailure(
  prepared: PreparedRestore,
  error: unknown,
  ctx: OperationContext,
): Promise<PgdrError> {
  const name = prepared.plan.database;
  const { state } = await dropHalfRestored(prepared.request.target, name);
  if (ctx.signal.aborted) return new Aborted(`Restore interrupted: ${state}`);
  // The archive failed its check: that is the verdict, and the database made for it is gone again.
  if (error instanceof ChecksumMismatch) return new ChecksumMismatch(error.message, { hint: `${state} ${error.hint}` });
  return new PgdrError(`Restore into the new database ${name} failed: ${reason(error)}`, {
    hint: `${state} ${isPgdrError(error) && error.hint ? error.hint : 'Fix the cause (see the pg_restore message) and run the restore again.'}`,
    cause: error,
  });
}

/**
 * Restores over an existing database. With --clean: safety snapshot first, then other sessions ended and new ones
 * held off for the duration (released again on success, failure and Ctrl-C). A failure after the first change says
 * what state the database is in and the exact command that puts the snapshot back.
 */
export async function restoreInPlace(main: MainRestore, ctx: OperationContext): Promise<void> {
  const { prepared, result } = main;
  const { request, plan } = prepared;
  const name = plan.database;
  if (takesSafetySnapshot(request)) {
    ctx.log.info(`Safety snapshot of ${name} into ${(request.repo ?? prepared.repo).url}…`);
    const snapshot = await takeBackup(
      {
        target: prepared.into,
        repo: request.repo ?? prepared.repo,
        kind: 'full',
        encryption: prepared.snapshotEncryption,
      },
      ctx,
    );
    result.safetySnapshotId = snapshot.id;
    ctx.note?.({
      kind: 'safety-snapshot',
      id: snapshot.id,
      database: name,
      repository: (request.repo ?? prepared.repo).url,
    });
    ctx.log.info(`Safety snapshot ${snapshot.id} taken.`);
  }
  const clean = cleans(request);
  const block = clean ? await blockConnections(prepared.into, plan.jobs + 2) : undefined;
  try {
    if (block) {
      result.connectionBlock = block.how;
      const ended = await terminateSessions(prepared.into, await otherSessions(prepared.into));
      result.terminatedSessions = ended.terminated;
      if (ended.survivors.length)
        result.warnings.push(
          `Could not end ${ended.survivors.length} session(s) (pids ${ended.survivors.map((s) => s.pid).join(', ')}); they may hold locks the restore waits for.`,
        );
      ctx.log.info(`New connections to ${name} held off (${block.how}); ${ended.terminated} session(s) ended.`);
    }
    await restoreRoles(main, ctx);
    if (clean && main.cleanEntries) await dropObjects(prepared.into, main.cleanEntries);
    ctx.log.info(`Restoring into ${name} in place (${plan.jobs} job(s))…`);
    await main.archive.seekable();
    await pgRestore(main, [], ctx);
  } catch (error) {
    throw inPlaceFailure(main, error, ctx);
  } finally {
    await block
      ?.release()
      .catch((e) =>
        ctx.log.error(
          `Could not lift the connection limit on ${name}: ${reason(e)}; run: alter database ${quoteIdent(name)} connection limit -1`,
        ),
      );
  }
}

function inPlaceFailure(main: MainRestore, error: unknown, ctx: OperationContext): PgdrError {
  const { prepared, result } = main;
  const name = prepared.plan.database;
  const interrupted = ctx.signal.aborted;
  const what = interrupted ? 'was interrupted' : `failed: ${reason(error)}`;
  if (!cleans(prepared.request)) {
    // Without --clean the restore only adds objects; Supabase restores run in one transaction that rolled back.
    const message = `Restore into ${name} ${what}`;
    const hint =
      prepared.request.into === 'supabase'
        ? `The restore ran in one transaction, so ${name} has none of the backup's objects or rows (roles created first stay). Fix the cause and run it again.`
        : `${name} may hold some of the backup's objects now. Fix the cause and run it again with --clean.`;
    return new (interrupted ? Aborted : PgdrError)(message, { hint, cause: error });
  }
  const back = result.safetySnapshotId
    ? `To put ${name} back as it was before: pgdr restore ${result.safetySnapshotId} --repo ${prepared.repo.url} --db ${prepared.into.display} --clean --confirm ${name} --no-safety-snapshot`
    : `No safety snapshot was taken (--no-safety-snapshot): restore an earlier backup with --clean --confirm ${name}.`;
  const message = `Restore over ${name} ${what}. ${name} is now partly restored: some of the backup's objects were dropped and recreated, others not.`;
  const hint = `${back}  Or rerun this restore once the cause is fixed. Connections to ${name} are allowed again.`;
  return new (interrupted ? Aborted : PgdrError)(message, { hint, cause: error });
}

async function restoreRoles(main: MainRestore, ctx: OperationContext): Promise<void> {
  const { prepared } = main;
  if (prepared.request.into !== 'supabase') return;
  const script = await readRolesScript(prepared.repo, prepared.manifest, prepared.request.keys ?? {}, ctx.signal);
  if (!script) return void main.result.warnings.push('The backup holds no roles.sql; roles were not created.');
  ctx.log.info("Creating the project's roles…");
  await applyRoles(prepared.psql.path, prepared.into, script, ctx);
}
