import { z } from 'zod';
import { defineAction } from './registry.js';
import { dbArgs, dbTarget } from './db-args.js';
import { serverInfo, withClient } from '../pg/client.js';

export const pgPing = defineAction({
  name: 'pg.ping',
  describe: 'Connect to the database and report the server version and round-trip time.',
  with: z.object({ ...dbArgs }).strict(),
  outputs: ['version', 'latencyMs', 'database', 'summary'],
  idempotent: true,
  validation: true,
  targets: [{ field: 'target', access: 'read', defaultTarget: 'primary' }],
  async run(ctx, args) {
    const target = dbTarget(ctx, args);
    const started = ctx.now();
    return await withClient(target, async (client) => {
      const info = await serverInfo(client);
      const latencyMs = ctx.now() - started;
      const summary = `${target.display} answers: PostgreSQL ${info.version} in ${latencyMs} ms`;
      ctx.log.info(summary);
      return { version: info.version, latencyMs, database: target.database, summary };
    });
  },
});
