import { z } from 'zod';
import type { ActionContext } from './registry.js';
import { withDatabase, type DbTarget } from '../pg/connection.js';

/** `target` names a profile (default "primary"); `database` overrides the profile's database. */
export const dbArgs = {
  target: z.string().min(1).optional().describe('Target profile name (default: primary)'),
  database: z.string().min(1).optional().describe("Database name (default: the profile's)"),
};

export function dbTarget(ctx: ActionContext, args: { target?: string; database?: string }): DbTarget {
  const target = ctx.target(args.target);
  return args.database ? withDatabase(target, args.database) : target;
}

/** ALTER DATABASE on a database that refuses connections needs a session elsewhere: the maintenance database. */
export function maintenanceTarget(
  ctx: ActionContext,
  args: { target?: string; database?: string },
): { admin: DbTarget; database: string } {
  const target = dbTarget(ctx, args);
  return {
    admin: withDatabase(target, target.database === 'postgres' ? 'template1' : 'postgres'),
    database: target.database,
  };
}
