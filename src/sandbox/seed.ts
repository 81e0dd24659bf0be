import { withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import { APP_SCHEMA_SQL, PLATFORM_SQL, appDataSql } from './seed-sql.js';

/** A database prepared like a fresh Supabase project: reserved roles, auth and storage, no user data. */
export async function prepareFreshSupabase(target: DbTarget): Promise<void> {
  await withClient(target, (c) => c.query(PLATFORM_SQL));
}

/** The full sample: platform, application schema and about 100 rows per user. */
export async function seedSandbox(target: DbTarget, options: { users?: number } = {}): Promise<void> {
  await withClient(target, async (c) => {
    await c.query(PLATFORM_SQL);
    await c.query(APP_SCHEMA_SQL);
    await c.query(appDataSql(options.users ?? 200));
  });
}
