import type pg from 'pg';
import { quoteIdent, withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';

export interface TableCheck {
  table: string;
  expected: number;
  /** null when the table is missing from the restored database. */
  actual: number | null;
  ok: boolean;
}

const relation = (table: string) => {
  const dot = table.indexOf('.');
  return `${quoteIdent(table.slice(0, dot))}.${quoteIdent(table.slice(dot + 1))}`;
};

/** Counts every table of the manifest (or the chosen subset) in the restored database and compares. */
export async function compareRowCounts(
  target: DbTarget,
  expected: Record<string, number>,
  only?: string[],
): Promise<TableCheck[]> {
  const tables = (only ?? Object.keys(expected)).filter((t) => t in expected).sort();
  return await withClient(target, async (c) => {
    const checks: TableCheck[] = [];
    for (const table of tables) {
      const actual = await countRows(c, table);
      checks.push({ table, expected: expected[table]!, actual, ok: actual === expected[table] });
    }
    return checks;
  });
}

/** Session settings (user-settable, like pg_restore's PGOPTIONS) on a connection pgdr opened itself. */
export async function applySettings(client: pg.Client, settings: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(settings)) await client.query('select set_config($1, $2, false)', [k, v]);
}

export async function countRows(client: pg.Client, table: string): Promise<number | null> {
  return await client.query<{ n: string }>(`select count(*) as n from ${relation(table)}`).then(
    (r) => Number(r.rows[0]!.n),
    () => null,
  );
}

/** ANALYZE after a restore, the tables spread over `jobs` sessions, so the planner has statistics before traffic returns; `done` ("schema.table") are skipped. */
export async function analyzeDatabase(
  target: DbTarget,
  jobs: number,
  settings: Record<string, string>,
  done: ReadonlySet<string> = new Set(),
): Promise<void> {
  const all = await withClient(
    target,
    async (c) =>
      (
        await c.query<{ s: string; t: string }>(
          `select n.nspname as s, c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r','m','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg\\_%'
        order by c.relpages desc`,
        )
      ).rows,
  );
  const tables = all.filter((r) => !done.has(`${r.s}.${r.t}`)).map((r) => `${quoteIdent(r.s)}.${quoteIdent(r.t)}`);
  if (!tables.length) return;
  const queue = [...tables];
  const worker = () =>
    withClient(target, async (c) => {
      await applySettings(c, settings);
      for (let t = queue.shift(); t; t = queue.shift()) await c.query(`analyze ${t}`).catch(() => {});
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tables.length)) }, worker));
}
