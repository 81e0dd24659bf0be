import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { useCluster, psql, createDatabase } from '../../test/helpers/cluster.js';
import type { LocalCluster } from '../sandbox/local-cluster.js';
import { withClient } from '../pg/client.js';
import { exportTable, type ExportTableOptions } from './export-table.js';
import { exportUser } from './export-user.js';
import { importRows } from './import-table.js';
import { readRows } from './read-rows.js';
import { parseAnonymize } from './anonymize.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await useCluster();
  await createDatabase(cluster, 'app');
  await psql(
    cluster,
    'app',
    `
    create schema auth;
    create table auth.users (id uuid primary key, email text not null, encrypted_password text);
    create table auth.refresh_tokens (id serial primary key, user_id uuid references auth.users, token text);
    create table public.profiles (id uuid primary key references auth.users, full_name text, tags text[], prefs jsonb);
    create table public.orders (id int primary key, user_id uuid not null references auth.users, total numeric(10,2), note text, placed_at timestamptz default now());
    create table public.order_items (id serial primary key, order_id int references public.orders, sku text);
    create table public.unrelated (x int);
    insert into auth.users values ('${ALICE}', 'alice@example.com', '$2a$10$hash'), ('${BOB}', 'bob@example.com', '$2a$10$hash2');
    insert into auth.refresh_tokens (user_id, token) values ('${ALICE}', 'rt-secret');
    insert into public.profiles values ('${ALICE}', 'Alice "Al" Smith', '{a,b}', '{"theme":"dark"}'), ('${BOB}', E'Bob, Jr.\\nline2', null, null);
    insert into public.orders (id, user_id, total, note) select g, case when g % 2 = 0 then '${ALICE}'::uuid else '${BOB}'::uuid end, g * 1.5, 'order ' || g from generate_series(1, 25) g;
    insert into public.order_items (order_id, sku) select id, 'sku-' || id from public.orders;
    insert into public.unrelated values (1);
  `,
  );
});

async function exportToString(
  options: ExportTableOptions,
): Promise<{ text: string; rows: number; progress: number[] }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const progress: number[] = [];
  const result = await withClient(cluster.target('app'), (client) =>
    exportTable(client, { ...options, onProgress: (n) => progress.push(n) }, out),
  );
  return { text, rows: result.rows, progress };
}

describe('export', () => {
  it('streams a table as JSON in batches, with --where and anonymized columns', async () => {
    const { text, rows, progress } = await exportToString({
      table: 'orders',
      format: 'json',
      where: 'total > 30',
      batchRows: 2,
      anonymize: parseAnonymize(['note=mask', 'user_id=hash']),
    });
    const parsed = JSON.parse(text) as { id: number; total: number; note: string; user_id: string }[];
    expect(rows).toBe(5);
    expect(parsed.map((r) => r.id)).toEqual([21, 22, 23, 24, 25]);
    expect(parsed[0]!.total).toBe(31.5);
    expect(parsed[0]!.note).toBe('o******1');
    expect(parsed[0]!.user_id).toMatch(/^[0-9a-f]{16}$/);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('keeps memory bounded: fetches in batches and waits for a slow consumer', async () => {
    await psql(
      cluster,
      'app',
      `create table big as select g as id, repeat(md5(g::text), 4) as payload from generate_series(1, 20000) g`,
    );
    let bytes = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setImmediate(done);
      },
    });
    const result = await withClient(cluster.target('app'), (client) =>
      exportTable(client, { table: 'big', format: 'csv', batchRows: 500 }, slow),
    );
    expect(result.rows).toBe(20000);
    expect(bytes).toBeGreaterThan(20000 * 128);
    // Never more than the stream's buffer plus one row waiting: the rest stays in the server-side cursor.
    expect(maxBuffered).toBeLessThan(16 * 1024 + 200);
  });

  it('writes CSV that PostgreSQL itself reads back identically', async () => {
    const { text } = await exportToString({ table: 'public.profiles', format: 'csv', anonymize: {} });
    expect(text.split('\n')[0]).toBe('id,full_name,tags,prefs');
    await psql(cluster, 'app', 'create table profiles_copy (like public.profiles)');
    const file = join(mkdtempSync(join(tmpdir(), 'pgdr-csv-')), 'p.csv');
    writeFileSync(file, text);
    await psql(cluster, 'app', `\\copy profiles_copy from '${file}' csv header`);
    const diff = await psql(
      cluster,
      'app',
      'select count(*) from (select * from public.profiles except select * from profiles_copy) d',
    );
    expect(diff.trim()).toBe('0');
  });

  it('writes SQL insert statements that replay into an empty table', async () => {
    const { text } = await exportToString({
      table: 'orders',
      format: 'sql',
      where: 'id <= 3',
      anonymize: parseAnonymize(['note=null']),
    });
    expect(text).toMatch(
      /^insert into "public"\."orders" \("id", "user_id", "total", "note", "placed_at"\) values \('1', /m,
    );
    await psql(
      cluster,
      'app',
      `create table orders_replay (like public.orders); ${text.replaceAll('"public"."orders"', 'orders_replay')}`,
    );
    expect((await psql(cluster, 'app', 'select count(*), count(note) from orders_replay')).trim()).toBe('3|0');
  });

  it('refuses a --where that writes (read-only transaction) and an unknown table', async () => {
    await expect(
      exportToString({ table: 'orders', format: 'csv', where: `nextval('public.order_items_id_seq') > 0` }),
    ).rejects.toThrow(/read-only transaction/);
    expect((await psql(cluster, 'app', 'select last_value from public.order_items_id_seq')).trim()).toBe('25');
    await expect(exportToString({ table: 'nope', format: 'csv' })).rejects.toThrow(/No table "nope"/);
    await expect(exportToString({ table: 'orders', format: 'csv', anonymize: { mail: 'hash' } })).rejects.toThrow(
      /not a column/,
    );
  });

  it('--user-id follows foreign keys from auth.users and withholds credentials', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pgdr-gdpr-')), 'alice');
    const result = await withClient(cluster.target('app'), (client) =>
      exportUser(client, { userId: ALICE, directory: dir, format: 'json' }),
    );
    expect(readdirSync(dir).sort()).toEqual([
      'auth.users.json',
      'index.json',
      'public.order_items.json',
      'public.orders.json',
      'public.profiles.json',
    ]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(Object.fromEntries(index.files.map((f: { table: string; rows: number }) => [f.table, f.rows]))).toEqual({
      'auth.users': 1,
      'public.orders': 12,
      'public.order_items': 12,
      'public.profiles': 1,
    });
    expect(index.files.find((f: { table: string }) => f.table === 'public.order_items').via).toBe(
      'public.order_items → public.orders → auth.users',
    );
    const user = JSON.parse(readFileSync(join(dir, 'auth.users.json'), 'utf8'));
    expect(user).toEqual([{ id: ALICE, email: 'alice@example.com', encrypted_password: null }]);
    const orders = JSON.parse(readFileSync(join(dir, 'public.orders.json'), 'utf8')) as { user_id: string }[];
    expect(orders.every((o) => o.user_id === ALICE)).toBe(true);
    expect(JSON.stringify(result)).not.toContain('rt-secret');
    await expect(
      withClient(cluster.target('app'), (c) =>
        exportUser(c, { userId: '33333333-3333-4333-8333-333333333333', directory: dir, format: 'json' }),
      ),
    ).rejects.toThrow(/No user/);
  });
});

describe('import', () => {
  const file = (name: string, text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'pgdr-import-')), name);
    writeFileSync(path, text);
    return path;
  };
  const run = (path: string, options: Parameters<typeof importRows>[2], format: 'json' | 'csv' = 'json') =>
    withClient(cluster.target('app'), (client) => importRows(client, readRows(path, format), options));

  it('inserts, then upserts and reports inserted and updated rows', async () => {
    await psql(
      cluster,
      'app',
      'create table items (id int primary key, name text not null, price numeric, tags text[], meta jsonb)',
    );
    const first = await run(
      file(
        'a.json',
        JSON.stringify([
          { id: 1, name: 'a', price: 1.5, tags: ['x', 'y z'], meta: { k: [1] } },
          { id: 2, name: 'b' },
        ]),
      ),
      { table: 'items', mode: 'insert' },
    );
    expect(first).toMatchObject({ inserted: 2, updated: 0, committed: true, rejected: [] });
    const second = await run(file('b.csv', 'id,name,price\n2,B,\n3,c,3\n'), { table: 'items', mode: 'upsert' }, 'csv');
    expect(second).toMatchObject({ inserted: 1, updated: 1 });
    expect(
      (
        await psql(
          cluster,
          'app',
          `select string_agg(id || ':' || name || ':' || coalesce(price::text, '-') || ':' || coalesce(tags::text, '-'), ' ' order by id) from items`,
        )
      ).trim(),
    ).toBe('1:a:1.5:{x,"y z"} 2:B:-:- 3:c:3:-');
  });

  it('rejects bad types and unknown columns before writing anything', async () => {
    await psql(cluster, 'app', 'create table strict_items (id int primary key, qty int not null)');
    const bad = file(
      'bad.json',
      JSON.stringify([
        { id: 1, qty: 5 },
        { id: 2, qty: 'many' },
        { id: 3, qty: { n: 1 } },
      ]),
    );
    await expect(run(bad, { table: 'strict_items', mode: 'insert' })).rejects.toThrow(
      /2 of 3 rows .*nothing was written[\s\S]*row 2: invalid input syntax for type integer/,
    );
    expect((await psql(cluster, 'app', 'select count(*) from strict_items')).trim()).toBe('0');
    const partial = await run(bad, { table: 'strict_items', mode: 'insert', skipInvalid: true });
    expect(partial).toMatchObject({ inserted: 1, committed: true });
    expect(partial.rejected.map((r) => r.row)).toEqual([2, 3]);
    await expect(
      run(file('u.json', '[{"id": 9, "qty": 1, "colour": "red"}]'), { table: 'strict_items', mode: 'insert' }),
    ).rejects.toThrow(/colour is not a column of public\.strict_items/);
    await expect(run(file('m.json', '[{"id": 9}]'), { table: 'strict_items', mode: 'insert' })).rejects.toThrow(
      /no qty, which public\.strict_items requires/,
    );
    await expect(
      run(file('d.json', '[{"id": 1, "qty": 2}]'), { table: 'strict_items', mode: 'insert' }),
    ).rejects.toThrow(/duplicate key/);
  });

  it('--dry-run reports what would happen and --truncate replaces the contents, in one transaction', async () => {
    await psql(
      cluster,
      'app',
      "create table t3 (id int primary key, v text); insert into t3 values (1, 'old'), (2, 'old')",
    );
    const path = file('t3.json', '[{"id": 2, "v": "new"}, {"id": 5, "v": "new"}]');
    const dry = await run(path, { table: 't3', mode: 'upsert', dryRun: true });
    expect(dry).toMatchObject({ inserted: 1, updated: 1, committed: false });
    expect((await psql(cluster, 'app', `select string_agg(id || v, ',' order by id) from t3`)).trim()).toBe(
      '1old,2old',
    );
    await run(path, { table: 't3', mode: 'insert', truncate: true });
    expect((await psql(cluster, 'app', `select string_agg(id || v, ',' order by id) from t3`)).trim()).toBe(
      '2new,5new',
    );
  });
});
