import { z } from 'zod';
import { defineAction, type ActionContext } from './registry.js';
import { stepRepository } from './service.js';
import { withRestoreSubtasks, type SubtaskPlan } from './restore-tasks.js';
import { restorePointInTime } from './restore-pitr.js';
import { restoreBackup, databaseExists, dropDatabase, type RestoreResult } from '../restore/index.js';
import type { BackupRestoreRequest, BackupSource, RestoreContent } from '../restore/request.js';
import type { DbTarget } from '../pg/connection.js';
import { quoteIdent, withClient } from '../pg/client.js';
import { adminTarget, otherSessions } from '../restore/target-db.js';
import { incompleteMark } from '../restore/incomplete-mark.js';
import { PgdrError, UsageError } from '../core/errors.js';
import type { OperationFact } from '../core/context.js';
import { restoreNewClusterStep } from './restore-new-cluster.js';

export class RestoreFailed extends PgdrError {}

const args = z
  .object({
    repo: z.string().optional(),
    id: z.string().min(1).optional().describe('Backup id (from backup.select); not needed for a provider PITR'),
    target: z.string().min(1).default('restored'),
    into: z
      .string()
      .optional()
      .describe('Database to restore into (a drill creates a scratch database when not given)'),
    mode: z.enum(['full', 'schema', 'tables', 'rows']).default('full'),
    tables: z.array(z.string()).optional(),
    where: z.string().optional().describe('Row filter for mode: rows (empty: every row of the backup that is missing)'),
    pitrTarget: z.string().optional().describe('Point in time to recover to'),
    provider: z.enum(['dump', 'pgbackrest', 'supabase']).default('dump'),
    stanza: z.string().default('main').describe('pgBackRest stanza'),
    pgbackrestConfig: z.string().optional().describe("pgbackrest.conf (default: pgBackRest's own lookup)"),
    dataDir: z.string().optional().describe('pgBackRest: the new, empty data directory of the restored cluster'),
    newCluster: z
      .string()
      .optional()
      .describe(
        "A dump restore into a cluster pgdr creates in this new or empty directory (empty: into the target's server); the target names its port, superuser and password",
      ),
    safetySnapshot: z.boolean().default(true),
    confirmDatabase: z.string().optional().describe('The database name typed back by the operator'),
  })
  .strict();

export type RestoreRunArgs = z.output<typeof args>;

export const restoreRun = defineAction({
  name: 'restore.run',
  describe: 'Restore a backup into the target: full, schema only, some tables, or rows; or recover to a point in time.',
  with: args,
  outputs: [
    'database',
    'recoveryPoint',
    'durationMs',
    'safetySnapshotId',
    'backupId',
    'tablesChecked',
    'rowsRestored',
    'scratchCreated',
    'tables',
  ],
  templates: { where: 'operator' },
  targets: [
    {
      field: 'target',
      access: 'write',
      defaultTarget: 'restored',
      createsServer: (a) => a.provider === 'pgbackrest' || Boolean(a.newCluster),
    },
  ],
  // A stopped dump restore drops what it made (or, in place, is restored over again once the name is typed back); a
  // provider's recovery may go on on its own after pgdr stops waiting.
  restartable: (a) => a.provider === 'dump',
  async run(ctx, a) {
    if (a.provider !== 'dump') return await restorePointInTime(ctx, { ...a, provider: a.provider });
    if (!a.id)
      throw new UsageError(
        `Step ${ctx.stepId}: restore.run needs with.id (the backup to restore).`,
        'Pass ${{ steps.pick.outputs.backupId }} from a backup.select step.',
      );
    if (a.newCluster) return await restoreNewClusterStep(ctx, a);
    const request = await restoreRequest(ctx, a);
    // An abort that came while the request was worked out would reach no listener of the restore's.
    ctx.signal.throwIfAborted();
    if (request.into === 'in-place')
      ctx.destructive?.({
        target: a.target,
        server: request.target.display,
        database: request.target.database,
        what: 'restored in place',
      });
    const note = (fact: OperationFact) =>
      fact.kind === 'safety-snapshot'
        ? ctx.safetySnapshot?.({
            id: fact.id,
            database: fact.database,
            server: request.target.display,
            repository: fact.repository,
          })
        : ctx.restoreTiming?.(fact);
    const result = await withRestoreSubtasks(
      ctx,
      subtasks(ctx, a, request),
      (inner) => restoreBackup(request, { ...inner, note }),
      summaryOf,
    );
    if (!result.ok) {
      throw new RestoreFailed(
        `Restored into ${result.database}, but ${result.mismatches} table(s) differ from the backup's row counts.`,
        {
          hint: `Look at ${result.tables
            .filter((t) => !t.ok)
            .slice(0, 3)
            .map((t) => t.table)
            .join(', ')}; pg_restore's errors are in the log (l).`,
        },
      );
    }
    for (const warning of result.warnings) ctx.log.warn(warning);
    return {
      database: result.database,
      backupId: result.backupId,
      recoveryPoint: result.recoveryPoint,
      durationMs: result.durationMs,
      safetySnapshotId: result.safetySnapshotId ?? '',
      tablesChecked: result.tables.length,
      tables: result.tables.map(({ table, expected, actual, ok }) => ({ table, expected, actual, ok })),
      rowsRestored: result.rows?.inserted ?? 0,
      scratchCreated: scratchCreated(ctx, a, request),
      summary: summaryOf(result),
    };
  },
  rearm(ctx, a, outputs) {
    if (outputs.scratchCreated === true) dropScratchAtEnd(ctx, ctx.target(a.target), String(outputs.database));
  },
});

/**
 * A database that does not exist yet is created (in a drill: and dropped when the run ends); an existing one is
 * restored over in place, its name typed back first (safety rule 2). A drill's `restored` is never production.
 */
async function restoreRequest(ctx: ActionContext, a: RestoreRunArgs): Promise<BackupRestoreRequest> {
  const target = ctx.target(a.target);
  const source: BackupSource = {
    repo: stepRepository(ctx, a.repo),
    ref: a.id!,
    target,
    keys: ctx.services.keys,
  };
  if (a.mode === 'rows') {
    const table = a.tables?.[0];
    if (!table || (a.tables?.length ?? 0) > 1)
      throw new UsageError(
        `Step ${ctx.stepId}: mode rows restores one table; give it in with.tables.`,
        'tables: [public.orders]',
      );
    // Only missing rows are added (on conflict skip): nothing present is overwritten, so no name needs typing.
    const where = a.where?.trim() || 'true';
    return {
      ...source,
      into: 'in-place',
      content: { what: 'rows', table, where, onConflict: 'skip' },
      safetySnapshot: false,
    };
  }
  if (a.mode === 'tables' && !a.tables?.length)
    throw new UsageError(
      `Step ${ctx.stepId}: mode tables needs with.tables.`,
      'tables: [public.orders, public.order_items]',
    );
  const content: RestoreContent =
    a.mode === 'tables' ? { what: 'tables', tables: a.tables! } : { what: a.mode === 'schema' ? 'schema' : 'full' };
  if (a.into) return { ...source, into: 'new-db', database: a.into, content };
  await dropUnfinishedRestore(ctx, target);
  if (!(await databaseExists(target, target.database))) {
    ctx.log.info(
      `Database ${target.database} does not exist on ${target.display}; it is created and restored into${ctx.mode === 'drill' ? ', and dropped when the drill ends' : ''}.`,
    );
    if (ctx.mode === 'drill') dropScratchAtEnd(ctx, target, target.database);
    return { ...source, into: 'new-db', database: target.database, content };
  }
  const confirm = a.confirmDatabase || (await askName(ctx, target.database));
  await admitRestoreSessions(ctx, target);
  return {
    ...source,
    into: 'in-place',
    content,
    confirm,
    safetySnapshot: a.safetySnapshot,
    safetyEncryption: ctx.services.encryption,
  };
}

/** A drill's scratch database goes when the run ends, including a run resumed after the restore (rearm). */
function dropScratchAtEnd(ctx: ActionContext, target: DbTarget, database: string): void {
  ctx.services.cleanup?.add(`scratch database ${database} dropped`, () => dropDatabase(target, database));
}

/** Whether this step made the drill's scratch database (restoreRequest: a drill restoring into a database that did not exist). */
function scratchCreated(ctx: ActionContext, a: RestoreRunArgs, request: BackupRestoreRequest): boolean {
  return ctx.mode === 'drill' && !a.into && request.into === 'new-db';
}

/**
 * A database pgdr created for a restore that never finished (pgdr killed, the server gone; a resumed run finds it)
 * holds nothing but part of a backup: it is dropped and restored again, once no session is still restoring into it.
 */
async function dropUnfinishedRestore(ctx: ActionContext, target: DbTarget): Promise<void> {
  const mark = await incompleteMark(target, target.database).catch(() => undefined);
  if (!mark) return;
  for (let waited = 0; (await otherSessions(target)).length > 0; waited += 500) {
    if (waited >= 15_000)
      throw new PgdrError(
        `${target.database} is an unfinished restore (${mark}) and something is still connected to it.`,
        { hint: 'Wait for that restore to end (or end its sessions), then run the step again.' },
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  ctx.log.warn(`${target.database} is an unfinished restore (${mark}): dropping it and restoring again.`);
  await dropDatabase(target, target.database);
}

/**
 * pg.block-connections refuses everyone (ALLOW_CONNECTIONS false), pg_restore included; for the restore the block
 * becomes CONNECTION LIMIT 0, which superusers pass and the restore's own block keeps. pg.unblock-connections lifts it.
 */
async function admitRestoreSessions(ctx: ActionContext, target: DbTarget): Promise<void> {
  await withClient(adminTarget(target), async (c) => {
    const { rows } = await c.query<{ allowed: boolean }>(
      'select datallowconn as allowed from pg_database where datname = $1',
      [target.database],
    );
    if (rows[0]?.allowed !== false) return;
    await c.query(`alter database ${quoteIdent(target.database)} with allow_connections true connection limit 0`);
    ctx.log.info(
      `${target.database} refused all connections; for the restore only superusers may connect (CONNECTION LIMIT 0).`,
    );
  });
}

async function askName(ctx: ActionContext, database: string): Promise<string> {
  const typed = await ctx.prompt({
    kind: 'type-name',
    id: `${ctx.stepId}.confirm`,
    message: `Restore over ${database}, replacing what it holds now? Type its name to go on.`,
    expected: database,
  });
  return String(typed);
}

function subtasks(ctx: ActionContext, a: RestoreRunArgs, request: BackupRestoreRequest): SubtaskPlan[] {
  const repo = request.repo;
  const rows = a.mode === 'rows';
  return [
    { title: 'Checksum and table of contents', until: 'checked' },
    {
      title: 'Fetch from the repository',
      until: 'checked',
      skip: repo?.remote === false && 'local repository: read in place',
    },
    {
      title: 'Decrypt',
      until: 'checked',
      skip:
        !ctx.services.keys?.identities?.length && !ctx.services.keys?.passphrase && 'not encrypted (or no key given)',
    },
    {
      title: rows ? `Copy missing rows of ${a.tables?.[0]}` : 'pg_restore',
      until: rows || a.mode === 'schema' ? 'done' : 'loaded',
    },
    { title: 'ANALYZE', until: 'done', skip: (rows || a.mode === 'schema') && 'nothing to analyze' },
    { title: 'Row counts against the manifest', until: 'done' },
  ];
}

function summaryOf(result: RestoreResult): string {
  if (result.rows) return `${result.rows.inserted} row(s) back, ${result.rows.skipped} already there`;
  if (result.what === 'schema') return 'schema restored';
  return result.mismatches === 0
    ? `${result.tables.length} table(s) match`
    : `${result.mismatches} of ${result.tables.length} table(s) differ`;
}
