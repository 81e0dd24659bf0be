import type pg from 'pg';
import { quoteIdent, withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import { tableLabel, type ManifestTable, type TableName } from './manifest-tables.js';

export interface TableCheck {
  /** The table as the operator reads it (`s."t.u"`); `schema` and `name` are its exact parts. */
  table: string;
  schema: string;
  name: string;
  expected: number;
  /** null when the table is missing from the restored database. */
  actual: number | null;
  ok: boolean;
}

export const relation = (t: TableName): string => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;

export function tableCheck(t: ManifestTable, actual: number | null): TableCheck {
  return { table: tableLabel(t), schema: t.schema, name: t.table, expected: t.rows, actual, ok: actual === t.rows };
}

/** Counts every given table of the manifest in the restored database, the way the manifest counted it. */
export async function compareRowCounts(target: DbTarget, tables: readonly ManifestTable[]): Promise<TableCheck[]> {
  return await withClient(target, async (c) => {
    const checks: TableCheck[] = [];
    for (const t of sortByLabel(tables)) checks.push(tableCheck(t, await countRows(c, t)));
    return checks;
  });
}

export const sortByLabel = <T extends TableName>(tables: readonly T[]): T[] =>
  [...tables].sort((a, b) => tableLabel(a).localeCompare(tableLabel(b)));

/**
 * The table's rows as the manifest counted them: the table alone (`only`), or, for a format-1 manifest, with its
 * inheritance children, which is right only once they are all loaded. null when the table is missing.
 */
export async function countRows(client: pg.Client, t: ManifestTable): Promise<number | null> {
  return await client
    .query<{ n: string }>(`select count(*) as n from ${t.withChildren ? '' : 'only '}${relation(t)}`)
    .then(
      (r) => Number(r.rows[0]!.n),
      () => null,
    );
}

/** Whether other tables inherit from this one (all tables exist once pg_restore loads data: it creates them first). */
export async function hasChildren(client: pg.Client, t: TableName): Promise<boolean> {
  const { rows } = await client.query<{ yes: boolean }>(
    'select exists (select 1 from pg_inherits where inhparent = to_regclass($1)) as yes',
    [relation(t)],
  );
  return rows[0]!.yes;
}

/** The tables of a database outside the system schemas (to read a format-1 manifest's dotted keys against). */
export async function databaseTables(target: DbTarget): Promise<TableName[]> {
  return await withClient(target, async (c) => {
    const { rows } = await c.query<TableName>(
      `select n.nspname as schema, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')`,
    );
    return rows;
  });
}
