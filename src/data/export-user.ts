import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { PgdrError, UsageError } from '../core/errors.js';
import type { PgClient } from '../pg/client.js';
import { quoteIdent } from '../pg/client.js';
import type { AnonymizeRules } from './anonymize.js';
import { exportRows, type ExportFormat } from './export-table.js';
import { tableInfo } from './table-info.js';

export class UserNotFound extends PgdrError {}

interface ForeignKey {
  child: string;
  childCols: string[];
  parent: string;
  parentCols: string[];
}

export interface UserExportFile {
  table: string;
  file: string;
  rows: number;
  /** How the table was reached: "auth.users" or "public.orders → public.profiles → auth.users". */
  via: string;
  withheldColumns: string[];
}

export interface UserExportResult {
  userId: string;
  directory: string;
  files: UserExportFile[];
}

/** Supabase Auth internals that hold credentials, not personal data the user asked for. */
const SKIPPED = new Set([
  'auth.sessions',
  'auth.refresh_tokens',
  'auth.one_time_tokens',
  'auth.mfa_challenges',
  'auth.mfa_amr_claims',
  'auth.flow_state',
  'auth.saml_relay_states',
]);
const CREDENTIAL_COLUMN = /password|token|secret|recovery|confirmation|reauthentication/i;

/**
 * Everything that refers to one user (GDPR access / portability): the auth.users row, then every table whose
 * foreign keys lead back to it, all read in one snapshot. One file per table plus index.json.
 */
export async function exportUser(
  client: PgClient,
  options: { userId: string; directory: string; format: ExportFormat },
): Promise<UserExportResult> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(options.userId)) {
    throw new UsageError(`"${options.userId}" is not a UUID.`, 'Pass the id from auth.users, e.g. --user-id 0b6f…-….');
  }
  await client.query('begin isolation level repeatable read read only');
  try {
    const root = await tableInfo(client, 'auth.users').catch(() => {
      throw new UsageError(
        'This database has no auth.users table.',
        "--user-id follows foreign keys from Supabase Auth's auth.users; use --table T --where … for other schemas.",
      );
    });
    const exists = await client.query(`select 1 from auth.users where id = $1`, [options.userId]);
    if (exists.rowCount === 0)
      throw new UserNotFound(`No user ${options.userId} in auth.users.`, {
        hint: 'Check the id (select id, email from auth.users where email = …).',
      });

    const predicates = new Map<string, { sql: string; via: string }>([
      ['auth.users', { sql: 'id = $1::uuid', via: 'auth.users' }],
    ]);
    const keys = await foreignKeys(client);
    for (let grew = true; grew;) {
      grew = false;
      for (const table of new Set(keys.map((k) => k.child))) {
        if (predicates.has(table) || SKIPPED.has(table)) continue;
        const edges = keys.filter((k) => k.child === table && k.parent !== table && predicates.has(k.parent));
        if (edges.length === 0) continue;
        const parts = edges.map(
          (k) =>
            `(${k.childCols.map(quoteIdent).join(', ')}) in (select ${k.parentCols.map(quoteIdent).join(', ')} from ${qualified(k.parent)} where ${predicates.get(k.parent)!.sql})`,
        );
        predicates.set(table, { sql: parts.join(' or '), via: `${table} → ${predicates.get(edges[0]!.parent)!.via}` });
        grew = true;
      }
    }

    mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    const files: UserExportFile[] = [];
    for (const [table, predicate] of predicates) {
      const info = table === 'auth.users' ? root : await tableInfo(client, qualified(table));
      const withheld =
        info.schema === 'auth' ? info.columns.map((c) => c.name).filter((n) => CREDENTIAL_COLUMN.test(n)) : [];
      const rules: AnonymizeRules = Object.fromEntries(withheld.map((c) => [c, 'null' as const]));
      const file = `${info.schema}.${info.name}.${options.format}`;
      const out = createWriteStream(join(options.directory, file), { mode: 0o600 });
      const rows = await exportRows(
        client,
        info,
        { where: predicate.sql, params: [options.userId], format: options.format, anonymize: rules },
        out,
      );
      out.end();
      await finished(out);
      files.push({ table, file, rows, via: predicate.via, withheldColumns: withheld });
    }
    const index = {
      userId: options.userId,
      exportedAt: new Date().toISOString(),
      database: client.database,
      format: options.format,
      files,
    };
    writeFileSync(join(options.directory, 'index.json'), JSON.stringify(index, null, 2) + '\n', { mode: 0o600 });
    return { userId: options.userId, directory: options.directory, files };
  } finally {
    await client.query('rollback').catch(() => {});
  }
}

function qualified(table: string): string {
  const dot = table.indexOf('.');
  return `${quoteIdent(table.slice(0, dot))}.${quoteIdent(table.slice(dot + 1))}`;
}

async function foreignKeys(client: PgClient): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(
    `select cn.nspname || '.' || cc.relname as child, pn.nspname || '.' || pc.relname as parent,
            array(select a.attname from unnest(c.conkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o)::text[] as "childCols",
            array(select a.attname from unnest(c.confkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.o)::text[] as "parentCols"
       from pg_constraint c
       join pg_class cc on cc.oid = c.conrelid join pg_namespace cn on cn.oid = cc.relnamespace
       join pg_class pc on pc.oid = c.confrelid join pg_namespace pn on pn.oid = pc.relnamespace
      where c.contype = 'f'
      order by 1, 2`,
  );
  return rows;
}
