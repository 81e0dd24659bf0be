import type pg from 'pg';
import { quoteIdent } from '../pg/client.js';
import { schemaMatches } from '../pg/supabase.js';
import { PgdrError } from '../core/errors.js';
import { tableId, type ManifestTable, type TableName } from './manifest-tables.js';

/**
 * A read-only REPEATABLE READ transaction whose snapshot pg_dump shares (`--snapshot`), so the row counts in the
 * manifest describe exactly the data in the archive. It stays open until the dump is done.
 */
export interface ExportedSnapshot {
  id: string;
  /** The recovery point. */
  time: Date;
}

export async function exportSnapshot(client: pg.Client): Promise<ExportedSnapshot> {
  await client.query('begin isolation level repeatable read read only');
  const { rows } = await client.query<{ id: string; time: Date }>(
    'select pg_export_snapshot() as id, clock_timestamp() as time',
  );
  return { id: rows[0]!.id, time: rows[0]!.time };
}

export interface TableRef {
  schema: string;
  name: string;
  /** 'r' ordinary, 'p' partitioned. */
  kind: 'r' | 'p';
}

const tableKey = (t: { schema: string; name: string }) => tableId({ schema: t.schema, table: t.name });
export const qualified = (t: { schema: string; name: string }) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

/** Ordinary tables (partitions included; partitioned parents hold no rows of their own) outside the system schemas. */
export async function listTables(client: pg.Client, excludedSchemas: readonly string[] = []): Promise<TableRef[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: 'r' | 'p' }>(
    `select n.nspname as schema, c.relname as name, c.relkind::text as kind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by 1, 2`,
  );
  return rows.filter((t) => !schemaMatches(t.schema, excludedSchemas));
}

/**
 * Resolves the operator's table names ("film", "public.film", "Auth.Users" quoted or not) to exact tables, adding the
 * partitions of a partitioned table so its data comes along. Unknown names fail with the closest matches.
 */
export async function resolveTables(client: pg.Client, names: string[]): Promise<TableRef[]> {
  const out = new Map<string, TableRef>();
  for (const name of names) {
    const { rows } = await client.query<{ schema: string; name: string; kind: 'r' | 'p' | string }>(
      `select n.nspname as schema, c.relname as name, c.relkind::text as kind
         from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass($1)`,
      [name],
    );
    const t = rows[0];
    if (!t || (t.kind !== 'r' && t.kind !== 'p')) {
      const all = await client.query<{ n: string }>(
        `select n.nspname || '.' || c.relname as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema')`,
      );
      const like = {
        rows: closestNames(
          name,
          all.rows.map((r) => r.n),
        ).map((n) => ({ n })),
      };
      throw new PgdrError(`Table "${name}" was not found in the database.`, {
        hint: like.rows.length
          ? `Did you mean: ${like.rows.map((r) => r.n).join(', ')}?`
          : 'Name it as schema.table; psql \\dt lists the tables.',
        exitCode: 2,
      });
    }
    out.set(tableKey(t), t as TableRef);
    if (t.kind === 'p') {
      const parts = await client.query<{ schema: string; name: string; kind: 'r' | 'p' }>(
        `with recursive tree(oid) as (select $1::regclass::oid union all select i.inhrelid from pg_inherits i join tree on i.inhparent = tree.oid)
         select n.nspname as schema, c.relname as name, c.relkind::text as kind from tree join pg_class c on c.oid = tree.oid
           join pg_namespace n on n.oid = c.relnamespace where c.oid <> $1::regclass::oid`,
        [qualified(t)],
      );
      for (const p of parts.rows) out.set(tableKey(p), p);
    }
  }
  return [...out.values()];
}

/**
 * Exact row counts inside the exported snapshot, each table alone (`from only`: a parent's count leaves out its
 * inheritance children, exactly like the COPY pg_dump writes for it), with the tables each one inherits from.
 */
export async function countRows(client: pg.Client, tables: TableRef[], signal?: AbortSignal): Promise<ManifestTable[]> {
  const parents = await inheritanceParents(client);
  const counted: ManifestTable[] = [];
  for (const t of tables) {
    if (signal?.aborted) break;
    if (t.kind !== 'r') continue;
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from only ${qualified(t)}`);
    const of = parents.get(tableKey(t));
    counted.push({ schema: t.schema, table: t.name, rows: Number(rows[0]!.n), ...(of ? { parents: of } : {}) });
  }
  return counted;
}

/** Every table's direct parents (pg_inherits, in declaration order), keyed by tableId. */
async function inheritanceParents(client: pg.Client): Promise<Map<string, TableName[]>> {
  const { rows } = await client.query<{ schema: string; name: string; ps: string; pt: string }>(
    `select cn.nspname as schema, c.relname as name, pn.nspname as ps, p.relname as pt
       from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_namespace cn on cn.oid = c.relnamespace
       join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
      order by c.oid, i.inhseqno`,
  );
  const out = new Map<string, TableName[]>();
  for (const r of rows) out.set(tableKey(r), [...(out.get(tableKey(r)) ?? []), { schema: r.ps, table: r.pt }]);
  return out;
}

/** Up to three names within a small edit distance of what the operator typed (compared without the schema too). */
export function closestNames(typed: string, names: string[]): string[] {
  const want = typed.replace(/"/g, '').toLowerCase();
  const scored = names.map((n) => {
    const short = n.slice(n.indexOf('.') + 1).toLowerCase();
    return { n, d: Math.min(editDistance(want, n.toLowerCase()), editDistance(want, short)) };
  });
  return scored
    .filter((s) => s.d <= Math.max(2, Math.floor(want.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((s) => s.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
