import pg from 'pg';
import type { DbTarget } from './connection.js';
import { ConnectionFailed } from '../core/errors.js';
import { redact } from '../core/secrets.js';

export type PgClient = pg.Client;

export interface ServerInfo {
  major: number;
  versionNum: number;
  version: string;
}

/** The one place pgdr opens a connection. Errors never carry the password or the full URL. */
export async function connect(
  target: DbTarget,
  options: { applicationName?: string; statementTimeoutMs?: number } = {},
): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host ?? process.env.PGHOST ?? 'localhost',
    port: target.port ?? (process.env.PGPORT ? Number(process.env.PGPORT) : 5432),
    user: target.user ?? process.env.PGUSER ?? process.env.USER,
    database: target.database,
    password: target.password ?? process.env.PGPASSWORD,
    ssl: sslOption(target.sslmode ?? process.env.PGSSLMODE),
    application_name: options.applicationName ?? 'pgdr',
    connectionTimeoutMillis: 15_000,
    statement_timeout: options.statementTimeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionError(target, error);
  }
  return client;
}

function sslOption(mode: string | undefined): pg.ClientConfig['ssl'] {
  if (!mode || mode === 'disable' || mode === 'allow' || mode === 'prefer') return undefined;
  if (mode === 'verify-full' || mode === 'verify-ca') return { rejectUnauthorized: true };
  return { rejectUnauthorized: false };
}

export function connectionError(target: DbTarget, error: unknown): ConnectionFailed {
  const err = error as NodeJS.ErrnoException & { code?: string };
  const detail = redact(err?.message ?? String(error));
  let hint = 'Check the host, port and credentials; test with: psql "<your url>" -c "select 1".';
  if (err?.code === 'ECONNREFUSED') hint = 'Nothing is listening there: is the server running, and is the port right?';
  else if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN')
    hint = 'The host name does not resolve: check it, and your DNS or VPN.';
  else if (err?.code === '28P01' || err?.code === '28000')
    hint = 'The server refused the credentials: check the user and the password (PGPASSWORD, ~/.pgpass or the URL).';
  else if (err?.code === '3D000')
    hint = 'That database does not exist on the server: check its name (psql -l lists them).';
  return new ConnectionFailed(`Could not connect to ${target.display}: ${detail}`, { hint, cause: error });
}

export async function withClient<T>(
  target: DbTarget,
  fn: (client: pg.Client) => Promise<T>,
  options?: { applicationName?: string },
): Promise<T> {
  const client = await connect(target, options);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function serverInfo(client: pg.Client): Promise<ServerInfo> {
  const { rows } = await client.query<{ num: string; version: string }>(
    `select current_setting('server_version_num') as num, current_setting('server_version') as version`,
  );
  const versionNum = Number(rows[0]!.num);
  return { versionNum, major: Math.floor(versionNum / 10000), version: rows[0]!.version.split(' ')[0]! };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
