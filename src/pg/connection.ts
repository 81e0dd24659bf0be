import { parse as parseConnectionString } from 'pg-connection-string';
import { registerSecret, redactUrl } from '../core/secrets.js';
import { UsageError } from '../core/errors.js';
import type { Env } from '../core/env.js';

/**
 * A database to talk to. The password stays inside this object and reaches child processes only through
 * PGPASSWORD in their environment; `display` is safe to print.
 */
export interface DbTarget {
  host?: string;
  port?: number;
  user?: string;
  database: string;
  password?: string;
  sslmode?: string;
  /** Where the target came from: "--db", "DATABASE_URL", "SUPABASE_PROJECT_REF", "PG* environment". */
  source: string;
  /** A redacted URL for output. */
  display: string;
}

/** --db, else DATABASE_URL, else SUPABASE_DB_URL, else SUPABASE_PROJECT_REF + SUPABASE_DB_PASSWORD, else PG* env. */
export function resolveTarget(db: string | undefined, env: Env = process.env): DbTarget {
  if (db) return parseTarget(db, '--db');
  if (env.DATABASE_URL) return parseTarget(env.DATABASE_URL, 'DATABASE_URL');
  if (env.SUPABASE_DB_URL) return parseTarget(env.SUPABASE_DB_URL, 'SUPABASE_DB_URL');
  if (env.SUPABASE_PROJECT_REF) {
    const ref = env.SUPABASE_PROJECT_REF;
    if (!/^[a-z0-9]{10,40}$/.test(ref)) {
      throw new UsageError(
        `SUPABASE_PROJECT_REF "${ref}" is not a project ref.`,
        'It is the 20-letter id in your project URL (https://<ref>.supabase.co).',
      );
    }
    registerSecret(env.SUPABASE_DB_PASSWORD);
    return finish({
      host: `db.${ref}.supabase.co`,
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      password: env.SUPABASE_DB_PASSWORD,
      sslmode: 'require',
      source: 'SUPABASE_PROJECT_REF',
    });
  }
  if (env.PGHOST || env.PGDATABASE || env.PGSERVICE) {
    return finish({
      host: env.PGHOST,
      port: env.PGPORT ? Number(env.PGPORT) : undefined,
      user: env.PGUSER,
      database: env.PGDATABASE ?? env.PGUSER ?? 'postgres',
      password: env.PGPASSWORD,
      sslmode: env.PGSSLMODE,
      source: 'PG* environment',
    });
  }
  throw new UsageError(
    'No database given.',
    'Pass --db postgres://user@host:5432/dbname, or set DATABASE_URL (the password can come from PGPASSWORD or ~/.pgpass).',
  );
}

export function parseTarget(text: string, source: string): DbTarget {
  const trimmed = text.trim();
  if (!/^postgres(ql)?:\/\//i.test(trimmed)) {
    throw new UsageError(
      `${source} is not a postgres:// URL: ${redactUrl(trimmed).slice(0, 80)}`,
      'Use the form postgres://user@host:5432/dbname; the password comes from ~/.pgpass, PGPASSFILE, PGPASSWORD or --password-file.',
    );
  }
  let parsed;
  let sslmode: string | undefined;
  let database: string | undefined;
  try {
    parsed = parseConnectionString(trimmed);
    const url = new URL(trimmed.replace(/^postgres(ql)?:/i, 'http:'));
    sslmode = url.searchParams.get('sslmode') ?? undefined;
    // pg-connection-string leaves %3D, %2F … encoded: a database named "a=b" is "a%3Db" to it.
    database = decodeURIComponent(url.pathname.slice(1)) || undefined;
  } catch {
    throw new UsageError(
      `${source} could not be parsed as a connection URL.`,
      'Use the form postgres://user@host:5432/dbname (the password from ~/.pgpass, PGPASSWORD or --password-file); percent-encode special characters.',
    );
  }
  const port = parsed.port ? Number(parsed.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new UsageError(`${source} has an invalid port "${parsed.port}".`, 'Ports are numbers from 1 to 65535.');
  }
  registerSecret(parsed.password);
  return finish({
    host: parsed.host ?? undefined,
    port,
    user: parsed.user ?? undefined,
    database: database || parsed.user || 'postgres',
    password: parsed.password || undefined,
    sslmode,
    source,
  });
}

function finish(t: Omit<DbTarget, 'display'>): DbTarget {
  return { ...t, display: displayOf(t) };
}

function displayOf(t: Omit<DbTarget, 'display'>): string {
  const auth = t.user ? `${encodeURIComponent(t.user)}${t.password ? ':***' : ''}@` : '';
  const host = t.host ?? 'localhost';
  const port = t.port ? `:${t.port}` : '';
  return `postgres://${auth}${host}${port}/${encodeURIComponent(t.database)}`;
}

/**
 * A database name as libpq connection parameters, for pg_restore, which takes the database only through --dbname:
 * there a bare "dbname=victim host=elsewhere" would be read as a connection string. Quoted, it stays a name.
 */
export function conninfoDatabase(name: string): string {
  return `dbname='${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The same server, another database. */
export function withDatabase(target: DbTarget, database: string): DbTarget {
  return finish({ ...target, database });
}

/**
 * libpq environment for a child process (pg_dump, psql, …). PGPASSWORD never appears in argv. As in libpq, what
 * the target says wins and the caller's PG* variables fill the rest (PGPASSWORD, PGPASSFILE, PGSSLROOTCERT, …).
 */
export function libpqEnv(target: DbTarget, base: Env = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  if (target.host) env.PGHOST = target.host;
  if (target.port) env.PGPORT = String(target.port);
  if (target.user) env.PGUSER = target.user;
  env.PGDATABASE = target.database;
  if (target.password) env.PGPASSWORD = target.password;
  if (target.sslmode) env.PGSSLMODE = target.sslmode;
  return env;
}
