import type pg from 'pg';
import { PgdrError } from '../core/errors.js';
import { quoteIdent, withClient } from '../pg/client.js';
import { withDatabase, type DbTarget } from '../pg/connection.js';

/** A session on the database pgdr restores over, as the operator sees it before confirming. */
export interface Session {
  pid: number;
  user: string;
  application: string;
  client: string;
  state: string;
  superuser: boolean;
}

/** Another database on the same server, to run CREATE/DROP/ALTER DATABASE from. */
export function adminTarget(target: DbTarget): DbTarget {
  return withDatabase(target, target.database === 'postgres' ? 'template1' : 'postgres');
}

export async function databaseExists(server: DbTarget, name: string): Promise<boolean> {
  return await withClient(
    adminTarget(server),
    async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1,
  );
}

export async function createDatabase(server: DbTarget, name: string): Promise<void> {
  await withClient(adminTarget(server), (c) => c.query(`create database ${quoteIdent(name)}`)).catch(
    (error: Error & { code?: string }) => {
      if (error.code === '42P04')
        throw new PgdrError(`Database ${name} already exists.`, {
          hint: 'Pick another name with --new-db NAME, or restore in place with --clean.',
          exitCode: 2,
        });
      if (error.code === '42501')
        throw new PgdrError(`This user may not create databases: ${error.message}`, {
          hint: 'Connect as a role with CREATEDB, or restore in place with --clean.',
          exitCode: 2,
        });
      throw error;
    },
  );
}

export async function createSchemas(target: DbTarget, schemas: string[]): Promise<void> {
  await withClient(target, async (c) => {
    for (const s of schemas) await c.query(`create schema if not exists ${quoteIdent(s)}`);
  });
}

export async function dropDatabase(server: DbTarget, name: string): Promise<void> {
  await withClient(adminTarget(withDatabase(server, name)), (c) =>
    c.query(`drop database if exists ${quoteIdent(name)} with (force)`),
  );
}

export async function otherSessions(target: DbTarget): Promise<Session[]> {
  return await withClient(adminTarget(target), async (c) => {
    const { rows } = await c.query<Session>(
      `select a.pid, coalesce(a.usename, '') as user, coalesce(a.application_name, '') as application,
              coalesce(host(a.client_addr), 'local') as client, coalesce(a.state, '') as state, coalesce(r.rolsuper, false) as superuser
         from pg_stat_activity a left join pg_roles r on r.oid = a.usesysid
        where a.datname = $1 and a.pid <> pg_backend_pid() and a.backend_type = 'client backend' order by a.pid`,
      [target.database],
    );
    return rows;
  });
}

export interface ConnectionBlock {
  /** How new connections were stopped, in words for the log and the report. */
  how: string;
  release(): Promise<void>;
}

/**
 * Stops new sessions for the duration of an in-place restore. A superuser sets CONNECTION LIMIT 0, which it is itself
 * exempt from; a non-superuser owner (Supabase's postgres role) cannot be exempt, so it limits connections to the
 * ones pg_restore needs. ALLOW_CONNECTIONS false would lock pgdr out too. The previous limit comes back on release.
 */
export async function blockConnections(target: DbTarget, ownSessions: number): Promise<ConnectionBlock> {
  return await withClient(adminTarget(target), async (c) => {
    const before = await c.query<{ datconnlimit: number; superuser: boolean }>(
      `select datconnlimit, (select rolsuper from pg_roles where rolname = current_user) as superuser from pg_database where datname = $1`,
      [target.database],
    );
    const row = before.rows[0];
    if (!row)
      throw new PgdrError(`Database ${target.database} does not exist.`, {
        hint: 'Check the name in --db (psql -l lists them).',
        exitCode: 2,
      });
    const limit = row.superuser ? 0 : ownSessions;
    await alterLimit(c, target.database, limit);
    return {
      how: row.superuser
        ? 'CONNECTION LIMIT 0 (superusers excepted)'
        : `CONNECTION LIMIT ${limit} (pgdr's own sessions)`,
      release: () => withClient(adminTarget(target), (c2) => alterLimit(c2, target.database, row.datconnlimit)),
    };
  });
}

async function alterLimit(client: pg.Client, database: string, limit: number): Promise<void> {
  await client.query(`alter database ${quoteIdent(database)} connection limit ${Number(limit)}`);
}

/** Ends the listed sessions; those it may not end (another superuser's, without pg_signal_backend) come back. */
export async function terminateSessions(
  target: DbTarget,
  sessions: Session[],
): Promise<{ terminated: number; survivors: Session[] }> {
  if (!sessions.length) return { terminated: 0, survivors: [] };
  return await withClient(adminTarget(target), async (c) => {
    let terminated = 0;
    const survivors: Session[] = [];
    for (const s of sessions) {
      const ok = await c.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [s.pid]).then(
        (r) => r.rows[0]!.ok,
        () => false,
      );
      if (ok) terminated++;
      else survivors.push(s);
    }
    return { terminated, survivors };
  });
}
