import type pg from 'pg';
import { withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';
import { tableId } from '../backup/manifest-tables.js';
import { relation } from '../backup/table-counts.js';

/** Session settings (user-settable, like pg_restore's PGOPTIONS) on a connection pgdr opened itself. */
export async function applySettings(client: pg.Client, settings: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(settings)) await client.query('select set_config($1, $2, false)', [k, v]);
}

/** ANALYZE after a restore, the tables spread over `jobs` sessions, so the planner has statistics before traffic returns; `done` (tableId) are skipped. */
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
  const tables = all
    .map((r) => ({ schema: r.s, table: r.t }))
    .filter((t) => !done.has(tableId(t)))
    .map(relation);
  if (!tables.length) return;
  const queue = [...tables];
  const worker = () =>
    withClient(target, async (c) => {
      await applySettings(c, settings);
      for (let t = queue.shift(); t; t = queue.shift()) await c.query(`analyze ${t}`).catch(() => {});
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tables.length)) }, worker));
}
