import { quoteIdent, quoteLiteral, withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import { operatorName } from '../core/identity.js';
import { adminTarget, dropDatabase } from './target-db.js';

/**
 * A database pgdr creates for a restore carries this comment until the restore is checked: if pgdr is killed or the
 * server goes away, the half-made database says what it is (psql \l+), and a later restore or run may drop it.
 */
const MARK = 'pgdr: incomplete restore';

export async function markIncomplete(server: DbTarget, name: string, backupId: string): Promise<void> {
  const text = `${MARK} of backup ${backupId}, started ${new Date().toISOString()} by ${operatorName()} (pid ${process.pid}); drop it unless that restore is still running`;
  await withClient(adminTarget(server), (c) =>
    c.query(`comment on database ${quoteIdent(name)} is ${quoteLiteral(text)}`),
  );
}

export async function clearIncomplete(server: DbTarget, name: string): Promise<void> {
  await withClient(adminTarget(server), (c) => c.query(`comment on database ${quoteIdent(name)} is null`));
}

/** The mark's text when `name` is a restore pgdr began and never finished. */
export async function incompleteMark(server: DbTarget, name: string): Promise<string | undefined> {
  return await withClient(adminTarget(server), async (c) => {
    const { rows } = await c.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [name],
    );
    const comment = rows[0]?.comment ?? '';
    return comment.startsWith(MARK) ? comment : undefined;
  });
}

/**
 * After a failed restore into a new database: drop it, or say plainly that it is still there, marked incomplete,
 * and how to remove it. Returns the sentence for the error's hint.
 */
export async function dropHalfRestored(server: DbTarget, name: string): Promise<{ dropped: boolean; state: string }> {
  try {
    await dropDatabase(server, name);
    return {
      dropped: true,
      state: `the half-restored database ${name} was dropped; no existing database was touched.`,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      dropped: false,
      state: `the half-restored database ${name} could not be dropped (${why}): it stays on the server, marked "${MARK}" (psql \\l+ shows it); drop it when the server answers: DROP DATABASE ${quoteIdent(name)}. No existing database was touched.`,
    };
  }
}
