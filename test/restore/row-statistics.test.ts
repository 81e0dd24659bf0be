import { beforeAll, describe, expect, it } from 'vitest';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { until } from '../faults/fault-helpers.js';
import { withClient } from '../../src/pg/client.js';
import { rowsFromStatistics } from '../../src/restore/row-statistics.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
const orders = { schema: 'public', table: 'orders' };
const counters = async () =>
  (
    await psql(
      cluster,
      'shop',
      `select n_tup_ins || ' ' || n_tup_del || ' ' || n_dead_tup from pg_stat_user_tables where relname = 'orders'`,
    )
  ).trim();
const fromStatistics = (expected: number, table = orders) =>
  withClient(cluster.target('shop'), (c) => rowsFromStatistics(c, table, expected));

describe('row counts from the statistics counters of a database the restore created', () => {
  beforeAll(async () => {
    // The psql session that inserts ends at once: its backend sends its counters as it exits.
    cluster = await useClusterWith(
      'shop',
      `create table orders (id int primary key, note text);
       insert into orders select g, 'n' || g from generate_series(1, 1000) g;
       create table "Odd.Name" (id int); insert into "Odd.Name" values (1), (2);`,
    );
    await until('the counters of the inserting session', async () => (await counters()) === '1000 0 0');
  });

  it('give the count when exactly that many rows were inserted and are live, none changed, deleted or dead', async () => {
    expect(await fromStatistics(1000)).toBe(1000);
    await until(
      'the second table counted',
      async () => (await fromStatistics(2, { schema: 'public', table: 'Odd.Name' })) === 2,
    );
  });

  it('give nothing, so that count(*) decides, when they say another number, a row was deleted or an insert rolled back', async () => {
    expect(await fromStatistics(999)).toBeUndefined();
    expect(await fromStatistics(1001)).toBeUndefined();
    expect(await fromStatistics(0, { schema: 'public', table: 'missing' })).toBeUndefined();
    await psql(cluster, 'shop', 'begin; insert into orders values (5000, null); rollback;');
    await until('the rolled-back insert counted', async () => (await counters()).startsWith('1001 '));
    // 1001 inserted, 1000 live, one dead: no longer one story, so the table is counted.
    expect(await fromStatistics(1000)).toBeUndefined();
    expect(await fromStatistics(1001)).toBeUndefined();
    await psql(cluster, 'shop', 'delete from orders where id = 1');
    await until('the delete counted', async () => (await counters()).startsWith('1001 1 '));
    expect(await fromStatistics(999)).toBeUndefined();
  });
});
