import { rmSync } from 'node:fs';
import type { ActionContext, ActionOutputs } from './registry.js';
import { stepRepository } from './service.js';
import { withRestoreSubtasks } from './restore-tasks.js';
import { UsageError } from '../core/errors.js';
import { restoreIntoNewCluster, type NewClusterResult } from '../restore/new-cluster/restore-new-cluster.js';
import { stopCluster } from '../restore/new-cluster/server.js';

/** What restore.run's arguments say about a restore into a new cluster. */
export interface NewClusterStepArgs {
  id?: string;
  repo?: string;
  target: string;
  mode: string;
  newCluster?: string;
}

const LOCAL = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * restore.run with `newCluster`: the backup into a cluster pgdr creates on this host (the complete-loss runbook, the
 * server lost). The target says where clients will reach it: a local host, its port, and the superuser and password
 * the cluster is made with, so the steps after it (pg.ping, sql.check) connect as they would to the lost one.
 */
export async function restoreNewClusterStep(ctx: ActionContext, a: NewClusterStepArgs): Promise<ActionOutputs> {
  const target = ctx.target(a.target);
  if (a.mode !== 'full')
    throw new UsageError(`Step ${ctx.stepId}: a restore into a new cluster restores the whole backup (mode: full).`);
  if (target.host && !LOCAL.has(target.host) && !target.host.startsWith('/'))
    throw new UsageError(
      `Step ${ctx.stepId}: the new cluster is made on this host, but the '${a.target}' target points at ${target.host}.`,
      `Give --target ${a.target}=postgres://user@127.0.0.1:<free port>/<db>.`,
    );
  if (!target.port)
    throw new UsageError(
      `Step ${ctx.stepId}: the '${a.target}' target has no port for the new cluster.`,
      `Give --target ${a.target}=postgres://user@127.0.0.1:<free port>/<db>.`,
    );
  const dataDir = a.newCluster!;
  const request = {
    into: 'new-cluster' as const,
    ref: a.id!,
    repo: stepRepository(ctx, a.repo),
    keys: ctx.services.keys,
    dataDir,
    port: target.port,
    superuser: target.user,
    // The target's password (or PGPASSWORD's) becomes the superuser's, so TCP logins like the lost server's work.
    password: target.password ?? process.env.PGPASSWORD,
    database: target.database,
  };
  ctx.signal.throwIfAborted();
  const result = await withRestoreSubtasks(
    ctx,
    [
      { title: 'Create the cluster, checksum and table of contents', until: 'checked' },
      { title: 'pg_restore with durability off', until: 'loaded' },
      { title: 'Make it durable, restart with production settings, count every table', until: 'done' },
    ],
    (inner) => restoreIntoNewCluster(request, inner),
    summaryOf,
  );
  if (result.plan.database !== target.database)
    ctx.log.warn(
      `The backup is of ${result.plan.database}; the '${a.target}' target names ${target.database}, which the new cluster does not hold.`,
    );
  // A drill's cluster goes when the run ends; an incident's is the new server.
  if (ctx.mode === 'drill')
    ctx.services.cleanup?.add(`new cluster in ${dataDir} stopped and removed`, async () => {
      await stopCluster({ major: result.plan.major, dir: result.plan.binDir }, dataDir, 'fast');
      rmSync(dataDir, { recursive: true, force: true });
    });
  return {
    database: result.plan.database,
    backupId: result.plan.backup.id,
    recoveryPoint: result.plan.backup.snapshotTime,
    durationMs: result.durationMs,
    dataDir,
    safetySnapshotId: '',
    tablesChecked: result.tables.length,
    tables: result.tables.map(({ table, expected, actual, ok }) => ({ table, expected, actual, ok })),
    rowsRestored: 0,
    scratchCreated: false,
    summary: summaryOf(result),
  };
}

function summaryOf(result: NewClusterResult): string {
  return `new cluster in ${result.plan.dataDir} on port ${result.plan.port}: ${result.tables.length} table(s) match`;
}
