import type pg from 'pg';
import type { TableName } from '../backup/manifest-tables.js';

/**
 * A table's rows from the statistics system instead of a second full scan, where that is sound: in a database the
 * restore created and only its pg_restore wrote to, the counters say how many rows were inserted, updated, deleted,
 * and are live or dead. Only when they say exactly `expected` rows were inserted and are live, and none were updated,
 * deleted or left dead (an aborted COPY leaves its rows dead), is that the count. Anything else gives undefined and the
 * table is counted with count(*): counters not sent yet (a backend sends them at most once a second, and PostgreSQL
 * 15 gathers them asynchronously), switched off (track_counts), or a real difference, which count(*) then measures.
 * Read before the table's ANALYZE, which replaces the live and dead counts with estimates.
 */
export async function rowsFromStatistics(
  client: pg.Client,
  table: TableName,
  expected: number,
): Promise<number | undefined> {
  // Within a transaction the statistics are a snapshot: a fresh one for each table.
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<Record<'ins' | 'upd' | 'del' | 'live' | 'dead', string>>(
    `select n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del, n_live_tup as live, n_dead_tup as dead
       from pg_stat_user_tables where schemaname = $1 and relname = $2`,
    [table.schema, table.table],
  );
  const c = rows[0];
  if (!c) return undefined;
  const agree =
    Number(c.ins) === expected &&
    Number(c.live) === expected &&
    Number(c.upd) === 0 &&
    Number(c.del) === 0 &&
    Number(c.dead) === 0;
  return agree ? expected : undefined;
}
