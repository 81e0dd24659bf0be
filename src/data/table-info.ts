import type { PgClient } from '../pg/client.js';
import { quoteIdent } from '../pg/client.js';
import { PgdrError } from '../core/errors.js';

export class TableNotFound extends PgdrError {}

export interface ColumnInfo {
  name: string;
  /** format_type(): "integer", "character varying(40)", "text[]". */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  /** pg_type.typcategory: A array, B boolean, N numeric, U user/json, S string, D date/time. */
  category: string;
}

export interface TableInfo {
  schema: string;
  name: string;
  /** "schema"."name", ready for SQL. */
  sql: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

/** Resolves "table" or "schema.table" the way the server would (search_path, quoting) and reads its columns. */
export async function tableInfo(client: PgClient, table: string): Promise<TableInfo> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string }>(
    `select c.oid::int as oid, n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
    [table],
  );
  const found = rows[0];
  if (!found) {
    throw new TableNotFound(`No table "${table}" in database ${client.database}.`, {
      hint: 'Check the name (schema.table; quote mixed case as "\\"MyTable\\""): psql -c "\\dt *.*" lists the tables.',
    });
  }
  const columns = await client.query<ColumnInfo>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
            a.atthasdef or a.attidentity <> '' as "hasDefault", a.attgenerated <> '' as generated, t.typcategory as category
       from pg_attribute a join pg_type t on t.oid = a.atttypid
      where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [found.oid],
  );
  const pk = await client.query<{ name: string }>(
    `select a.attname as name from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord)
       join pg_attribute a on a.attnum = k.attnum
      where i.indrelid = $1 and i.indisprimary and a.attrelid = $1 order by k.ord`,
    [found.oid],
  );
  return {
    schema: found.schema,
    name: found.name,
    sql: `${quoteIdent(found.schema)}.${quoteIdent(found.name)}`,
    columns: columns.rows,
    primaryKey: pk.rows.map((r) => r.name),
  };
}
