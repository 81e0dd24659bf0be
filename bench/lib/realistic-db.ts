import type pg from 'pg';
import { withClient } from '../../src/pg/client.js';
import type { DbTarget } from '../../src/pg/connection.js';

/**
 * A database that compresses like a real one (not pgbench's padding, which compresses 100×): text made of words from
 * a 20,000-word vocabulary, jsonb documents, uuids, timestamps, numerics, arrays, and indexes, over many tables.
 * `megabytes` is the approximate pg_database_size to reach.
 */
export async function createRealisticDb(
  target: DbTarget,
  megabytes: number,
  log: (m: string) => void = () => {},
): Promise<void> {
  const scale = megabytes / 1170;
  const n = (base: number) => Math.max(100, Math.round(base * scale));
  await withClient(target, async (c) => {
    await createWords(c);
    await c.query(`
      create table accounts (id uuid primary key default gen_random_uuid(), email text not null, display_name text not null, bio text,
        settings jsonb not null, plan text not null, created_at timestamptz not null);
      create table posts (id bigint generated always as identity primary key, account_id uuid not null references accounts(id), title text not null,
        body text not null, tags text[] not null, meta jsonb not null, published_at timestamptz, created_at timestamptz not null);
      create table comments (id bigint generated always as identity primary key, post_id bigint not null references posts(id), account_id uuid not null,
        body text not null, score int not null, created_at timestamptz not null);
      create table events (id bigint generated always as identity primary key, account_id uuid not null, kind text not null, payload jsonb not null, occurred_at timestamptz not null);
      create table orders (id uuid primary key default gen_random_uuid(), account_id uuid not null, total numeric(12,2) not null, currency text not null, status text not null, placed_at timestamptz not null);
      create table order_items (order_id uuid not null references orders(id), line int not null, sku text not null, quantity int not null, price numeric(10,2) not null, note text, primary key (order_id, line));
    `);
    for (let i = 1; i <= 20; i++) {
      await c.query(
        `create table lookup_${i} (id int primary key, code text not null, label text not null, extra jsonb); insert into lookup_${i} select g, 'C' || g, words(4), jsonb_build_object('rank', g) from generate_series(1, 200) g`,
      );
    }
    const steps: [string, string][] = [
      [
        'accounts',
        `insert into accounts (email, display_name, bio, settings, plan, created_at)
        select 'user' || g || '@example.org', words(2), words(20 + g % 40), jsonb_build_object('theme', (array['dark','light'])[1 + g % 2], 'notify', g % 3 = 0, 'langs', jsonb_build_array(words(1), words(1))),
               (array['free','pro','team','enterprise'])[1 + g % 4], timestamptz '2020-01-01' + (g || ' minutes')::interval from generate_series(1, ${n(60_000)}) g`,
      ],
      [
        'posts',
        `insert into posts (account_id, title, body, tags, meta, published_at, created_at)
        select a.id, words(6), words(120 + (g % 200)), array[words(1), words(1), words(1)], jsonb_build_object('words', 120 + g % 200, 'lang', 'en', 'source', words(2), 'score', round(random()::numeric, 4)),
               case when g % 5 > 0 then timestamptz '2021-01-01' + (g || ' minutes')::interval end, timestamptz '2021-01-01' + (g || ' minutes')::interval
          from generate_series(1, ${n(330_000)}) g, (select array_agg(id) as ids from accounts) all_ids, lateral (select all_ids.ids[1 + g % array_length(all_ids.ids, 1)] as id) a`,
      ],
      [
        'comments',
        `insert into comments (post_id, account_id, body, score, created_at)
        select 1 + (g % ${n(330_000)}), gen_random_uuid(), words(10 + g % 40), (g % 11) - 5, timestamptz '2021-06-01' + (g || ' seconds')::interval from generate_series(1, ${n(900_000)}) g`,
      ],
      [
        'events',
        `insert into events (account_id, kind, payload, occurred_at)
        select gen_random_uuid(), (array['login','view','click','purchase','logout'])[1 + g % 5],
               jsonb_build_object('path', '/' || words(2), 'ms', g % 900, 'agent', words(3), 'tags', jsonb_build_array(words(1), words(1))), timestamptz '2022-01-01' + (g || ' seconds')::interval
          from generate_series(1, ${n(700_000)}) g`,
      ],
      [
        'orders',
        `insert into orders (account_id, total, currency, status, placed_at)
        select gen_random_uuid(), round((random() * 500)::numeric, 2), (array['EUR','USD','GBP'])[1 + g % 3], (array['paid','shipped','refunded'])[1 + g % 3], timestamptz '2022-01-01' + (g || ' minutes')::interval
          from generate_series(1, ${n(150_000)}) g`,
      ],
      [
        'order_items',
        `insert into order_items select o.id, l, 'SKU-' || (abs(hashtext(o.id::text)) % 10000 + l), 1 + l % 4, round((random() * 100)::numeric, 2), case when l = 1 then words(6) end
          from orders o, generate_series(1, 3) l`,
      ],
    ];
    for (const [table, sql] of steps) {
      const t = Date.now();
      await c.query(sql);
      log(`  ${table} loaded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    await c.query(`
      create index on posts (account_id); create index on posts (created_at); create index on comments (post_id);
      create index on events (account_id, occurred_at); create index on orders (account_id); create index on accounts (email);
      drop function words(int); drop table phrase, vocab; analyze;`);
  });
}

/**
 * `words(n)`: n words of a 20,000-word vocabulary (from 8 on, 8-word phrases of a 200,000-phrase pool, larger than
 * zstd's window), so text compresses like a real language; drop `words`, `phrase` and `vocab` when done.
 */
export async function createWords(c: pg.Client): Promise<void> {
  await c.query(`
    create extension if not exists pgcrypto;
    select setseed(0.17);
    create table vocab (id int primary key, w text not null);
    insert into vocab select i, string_agg(substr('bcdfghjklmnprstvwz', 1 + floor(random() * 18)::int, 1) || substr('aeiouy', 1 + floor(random() * 6)::int, 1), '')
      from generate_series(1, 20000) i, generate_series(1, 2 + (i % 3)) s group by i;
    create table phrase (id int primary key, p text not null);
    insert into phrase select i, string_agg(w, ' ') from generate_series(1, 200000) i
      cross join lateral (select w from vocab where id = any (array(select 1 + floor(random() * 20000)::int + i * 0 from generate_series(1, 8)))) v group by i;
    create function words(n int) returns text language sql volatile as $$
      select case when n < 8 then (select string_agg(w, ' ') from vocab where id = any (array(select 1 + floor(random() * 20000)::int from generate_series(1, n))))
             else (select string_agg(p, ' ') from phrase where id = any (array(select 1 + floor(random() * 200000)::int from generate_series(1, n / 8)))) end $$;`);
}
