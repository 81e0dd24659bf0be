import { z } from 'zod';
import { defineAction } from './registry.js';
import { dbArgs, maintenanceTarget } from './db-args.js';
import { withClient } from '../pg/client.js';

export const pgTerminateConnections = defineAction({
  name: 'pg.terminate-connections',
  describe: 'End every other session on the database (pg_terminate_backend), so a restore or a block takes hold.',
  with: z
    .object({
      ...dbArgs,
      keepApplications: z.array(z.string()).optional().describe('application_name values to leave alone'),
    })
    .strict(),
  outputs: ['terminated', 'summary'],
  idempotent: true,
  targets: [{ field: 'target', access: 'write', defaultTarget: 'primary' }],
  async run(ctx, args) {
    const { admin, database } = maintenanceTarget(ctx, args);
    const { rows } = await withClient(admin, (client) =>
      client.query<{ pid: number; application_name: string; ok: boolean }>(
        `select pid, application_name, pg_terminate_backend(pid) as ok
           from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'
            and not (application_name = any($2::text[]))`,
        [database, args.keepApplications ?? []],
      ),
    );
    const terminated = rows.filter((r) => r.ok).length;
    const summary = `Terminated ${terminated} session(s) on ${database}.`;
    ctx.log.info(summary);
    return { terminated, summary };
  },
});
