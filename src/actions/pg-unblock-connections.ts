import { defineAction } from './registry.js';
import { maintenanceTarget } from './db-args.js';
import { accessArgs, setAccess } from './pg-block-connections.js';

export const pgUnblockConnections = defineAction({
  name: 'pg.unblock-connections',
  describe: 'Allow connections to the database again (ALLOW_CONNECTIONS true, CONNECTION LIMIT -1 or the given one).',
  with: accessArgs,
  outputs: ['database', 'summary'],
  idempotent: true,
  targets: [{ field: 'target', access: 'write', defaultTarget: 'primary' }],
  async run(ctx, a) {
    const database = maintenanceTarget(ctx, a).database;
    await setAccess(ctx, a, true, a.limit ?? -1);
    const summary = `Connections to ${database} are allowed again.`;
    ctx.log.info(summary);
    return { database, summary };
  },
});
