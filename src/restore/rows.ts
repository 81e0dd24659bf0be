import type { OperationContext } from '../core/context.js';
import { PgdrError, UsageError } from '../core/errors.js';
import { startProcess } from '../core/system.js';
import { quoteIdent, withClient } from '../pg/client.js';
import { libpqEnv, type DbTarget } from '../pg/connection.js';

/** What a rows restore does with a row that is already there (same key). */
export type OnConflict = 'skip' | 'overwrite';

export interface RowsOutcome {
  table: string;
  where: string;
  /** Rows of the backup that match the WHERE clause. */
  matched: number;
  /** Rows that were missing and came back. */
  inserted: number;
  /** Rows already present (same key) and left as they are. */
  skipped: number;
  /** Rows already present and replaced by the backup's version. */
  overwritten: number;
}

/** "schema.table:WHERE-clause" → parts; the table may be quoted, the clause may contain colons. */
export function parseRowsSpec(spec: string): { table: string; where: string } {
  const m = /^((?:"(?:[^"]|"")+"|[^.:"]+)(?:\.(?:"(?:[^"]|"")+"|[^.:"]+))?):(.+)$/s.exec(spec.trim());
  if (!m || !m[2]!.trim())
    throw new UsageError(
      `--rows "${spec}" is not "schema.table:WHERE-clause".`,
      `e.g. --rows "public.orders:customer_id = 42 and created_at > '2025-01-01'"`,
    );
  return { table: m[1]!, where: m[2]!.trim() };
}

interface TableShape {
  relation: string;
  columns: string[];
  key: string[];
}

/** Columns pgdr copies (generated ones are computed again) and the key that tells which rows already exist. */
export async function tableShape(target: DbTarget, table: string): Promise<TableShape> {
  return await withClient(target, async (c) => {
    const found = await c.query<{ oid: number; rel: string }>(
      `select c.oid, c.oid::regclass::text as rel from pg_class c where c.oid = to_regclass($1) and c.relkind in ('r','p')`,
      [table],
    );
    const rel = found.rows[0];
    if (!rel)
      throw new PgdrError(`Table ${table} does not exist in ${target.database}.`, {
        hint: 'To bring back a dropped table use --table instead of --rows.',
        exitCode: 2,
      });
    const cols = await c.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = $1 and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`,
      [rel.oid],
    );
    const key = await c.query<{ cols: string[] }>(
      `select array(select a.attname::text from unnest(i.indkey) k join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k) as cols
         from pg_index i where i.indrelid = $1 and i.indisunique and i.indpred is null and i.indexprs is null order by i.indisprimary desc limit 1`,
      [rel.oid],
    );
    return { relation: rel.rel, columns: cols.rows.map((r) => r.name), key: key.rows[0]?.cols ?? [] };
  });
}

/**
 * Streams the matching rows from the scratch database into the target through two psql processes (COPY out → COPY
 * in), and merges them in one transaction: all of them come back or none do.
 */
export async function copyRows(
  input: {
    psqlPath: string;
    scratch: DbTarget;
    target: DbTarget;
    table: string;
    where: string;
    onConflict: OnConflict;
    shape: TableShape;
  },
  ctx: OperationContext,
): Promise<RowsOutcome> {
  const { shape } = input;
  if (!shape.key.length) {
    throw new PgdrError(
      `${shape.relation} has no primary key or unique constraint, so pgdr cannot tell which rows are missing.`,
      {
        hint: 'Restore the table into a new database with --table and copy the rows by hand, or add a primary key.',
        exitCode: 2,
      },
    );
  }
  const cols = shape.columns.map(quoteIdent).join(', ');
  const keyCols = shape.key.map(quoteIdent).join(', ');
  const others = shape.columns.filter((c) => !shape.key.includes(c));
  const conflict =
    input.onConflict === 'overwrite' && others.length
      ? `on conflict (${keyCols}) do update set ${others.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}`
      : 'on conflict do nothing';
  const match = shape.key.map((k) => `x.${quoteIdent(k)} = r.${quoteIdent(k)}`).join(' and ');
  const psql = (target: DbTarget, args: string[], stdin: 'pipe' | 'ignore') =>
    startProcess(input.psqlPath, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '--no-password', ...args], {
      env: libpqEnv(target),
      stdin,
      stdout: 'pipe',
      signal: ctx.signal,
    });
  const out = psql(
    input.scratch,
    ['-c', `copy (select ${cols} from ${shape.relation} where ${input.where}) to stdout`],
    'ignore',
  );
  const into = psql(
    input.target,
    [
      '-c',
      'begin',
      '-c',
      `create temp table pgdr_rows on commit drop as select ${cols} from ${shape.relation} with no data`,
      '-c',
      '\\copy pgdr_rows from pstdin',
      '-c',
      `select count(*) || '|' || count(*) filter (where exists (select 1 from ${shape.relation} x where ${match})) from pgdr_rows r`,
      '-c',
      `insert into ${shape.relation} (${cols}) overriding system value select ${cols} from pgdr_rows ${conflict}`,
      '-c',
      'commit',
    ],
    'pipe',
  );
  out.stdout!.pipe(into.stdin!);
  let text = '';
  into.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
  try {
    await Promise.all([out.done, into.done]);
  } catch (error) {
    into.kill();
    throw new PgdrError(
      `Copying rows of ${shape.relation} failed; the target was not changed (one transaction): ${(error as Error).message}`,
      {
        hint: "Check the WHERE clause (it runs on the backup's copy of the table) and that the table's columns still match.",
        cause: error,
      },
    );
  }
  // Counted before the merge inside the same transaction: rows whose key is present are skipped or overwritten.
  const [matched, present] = text.trim().split('|').map(Number) as [number, number];
  const overwrite = input.onConflict === 'overwrite';
  return {
    table: shape.relation,
    where: input.where,
    matched,
    inserted: matched - present,
    skipped: overwrite ? 0 : present,
    overwritten: overwrite ? present : 0,
  };
}
