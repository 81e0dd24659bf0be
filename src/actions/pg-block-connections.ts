import { z } from 'zod';
import { defineAction, type ActionContext } from './registry.js';
import { dbArgs, maintenanceTarget } from './db-args.js';
import { quoteIdent, withClient } from '../pg/client.js';

export const accessArgs = z
  .object({
    ...dbArgs,
    limit: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Instead of refusing all connections, allow this many (CONNECTION LIMIT)'),
  })
  .strict();

export async function setAccess(
  ctx: ActionContext,
  a: { target?: string; database?: string },
  allow: boolean,
  limit: number,
): Promise<{ allow: boolean; limit: number }> {
  const { admin, database } = maintenanceTarget(ctx, a);
  return await withClient(admin, async (client) => {
    const { rows } = await client.query<{ datallowconn: boolean; datconnlimit: number }>(
      'select datallowconn, datconnlimit from pg_database where datname = $1',
      [database],
    );
    const before = rows[0];
    if (!before) throw new Error(`Database ${database} does not exist.`);
    await client.query(
      `alter database ${quoteIdent(database)} with allow_connections ${allow} connection limit ${limit}`,
    );
    return { allow: before.datallowconn, limit: before.datconnlimit };
  });
}

export const pgBlockConnections = defineAction({
  name: 'pg.block-connections',
  describe:
    'Stop new connections to the database (ALLOW_CONNECTIONS false, or a CONNECTION LIMIT); undo restores what it was.',
  with: accessArgs,
  outputs: ['database', 'previousAllowConnections', 'previousConnectionLimit', 'summary'],
  idempotent: true,
  targets: [{ field: 'target', access: 'write', defaultTarget: 'primary' }],
  async run(ctx, a) {
    const database = maintenanceTarget(ctx, a).database;
    const before = await setAccess(ctx, a, a.limit !== undefined, a.limit ?? -1);
    const summary =
      a.limit === undefined
        ? `New connections to ${database} are refused.`
        : `Connections to ${database} are limited to ${a.limit}.`;
    ctx.log.info(summary);
    // Run again on resume, the block finds its own work: going back to "blocked" would undo nothing.
    const previous = before.allow ? before : { allow: true, limit: -1 };
    if (!before.allow) ctx.log.warn(`${database} already refused connections; undo will allow them again.`);
    return { database, previousAllowConnections: previous.allow, previousConnectionLimit: previous.limit, summary };
  },
  async undo(ctx, a, outputs) {
    const allow = outputs.previousAllowConnections !== false;
    const limit = typeof outputs.previousConnectionLimit === 'number' ? outputs.previousConnectionLimit : -1;
    await setAccess(ctx, a, allow, limit);
    ctx.log.info(`Connections to ${maintenanceTarget(ctx, a).database} restored (allow ${allow}, limit ${limit}).`);
  },
});
