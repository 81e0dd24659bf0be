import type { DbTarget } from '../../src/pg/connection.js';
import { withClient, quoteIdent } from '../../src/pg/client.js';
import { tableLabel } from '../../src/backup/manifest-tables.js';

export interface TableFingerprint {
  rows: number;
  /** md5 of the table's rows as text, sorted: equal when the contents are equal. */
  hash: string;
}

/**
 * Every ordinary and partitioned-leaf table outside the system schemas, keyed by its quoted label (`s."p.t"`): its
 * own row count and the hash of its own sorted rows (an inheritance parent without its children's).
 */
export async function tableFingerprints(
  target: DbTarget,
  schemas?: string[],
): Promise<Record<string, TableFingerprint>> {
  return await withClient(target, async (client) => {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'r' and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'
       ${schemas ? 'and n.nspname = any($1)' : ''} order by 1, 2`,
      schemas ? [schemas] : [],
    );
    const out: Record<string, TableFingerprint> = {};
    for (const t of tables) {
      const rel = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
      const { rows } = await client.query<{ n: string; h: string | null }>(
        `select count(*) as n, md5(coalesce(string_agg(r, E'\\n' order by r), '')) as h from (select x::text as r from only ${rel} x) s`,
      );
      out[tableLabel({ schema: t.schema, table: t.name })] = { rows: Number(rows[0]!.n), hash: rows[0]!.h ?? '' };
    }
    return out;
  });
}

/** A textual description of the schema objects: tables with columns, indexes, constraints, views, functions, triggers, policies. */
export async function schemaFingerprint(target: DbTarget): Promise<string[]> {
  return await withClient(target, async (client) => {
    const q = async (sql: string) => (await client.query<{ d: string }>(sql)).rows.map((r) => r.d);
    const sys = `not in ('pg_catalog','information_schema')`;
    return [
      ...(await q(
        `select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default,'') as d from information_schema.columns where table_schema ${sys} order by 1`,
      )),
      ...(await q(
        `select 'index ' || schemaname || '.' || indexname || ' ' || indexdef as d from pg_indexes where schemaname ${sys} order by 1`,
      )),
      ...(await q(
        `select 'constraint ' || n.nspname || '.' || conname || ' ' || pg_get_constraintdef(c.oid) as d from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname ${sys} order by 1`,
      )),
      ...(await q(
        `select 'view ' || schemaname || '.' || viewname as d from pg_views where schemaname ${sys} order by 1`,
      )),
      ...(await q(
        `select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as d from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${sys} order by 1`,
      )),
      ...(await q(
        `select 'trigger ' || tgname || ' on ' || tgrelid::regclass::text as d from pg_trigger where not tgisinternal order by 1`,
      )),
      ...(await q(
        `select 'policy ' || schemaname || '.' || tablename || '.' || policyname as d from pg_policies order by 1`,
      )),
      ...(await q(`select 'extension ' || extname as d from pg_extension order by 1`)),
    ];
  });
}
