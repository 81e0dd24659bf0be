import { withClient } from '../../src/pg/client.js';
import type { DbTarget } from '../../src/pg/connection.js';
import { createWords } from './realistic-db.js';

/**
 * The other common shape: nearly all of the data in two tables (about 93 % here), where parallel jobs have little to
 * share. A documents table (uuid primary key, text, jsonb, two more indexes) and an events table (two indexes), plus
 * a few small ones; `megabytes` is the approximate pg_database_size to reach.
 */
export async function createBigTablesDb(
  target: DbTarget,
  megabytes: number,
  log: (m: string) => void = () => {},
): Promise<void> {
  const scale = megabytes / 440;
  const n = (base: number) => Math.max(100, Math.round(base * scale));
  await withClient(target, async (c) => {
    await createWords(c);
    await c.query(`
      create table users (id int primary key, email text not null, name text not null);
      insert into users select g, 'user' || g || '@example.org', words(2) from generate_series(1, 5000) g;
      create table kinds (id int primary key, label text not null);
      insert into kinds select g, words(2) from generate_series(1, 50) g;
      create table documents (id uuid primary key default gen_random_uuid(), owner_id int not null, kind_id int not null,
        title text not null, body text not null, meta jsonb not null, created_at timestamptz not null);
      create table events (id bigint generated always as identity primary key, document_id uuid, user_id int not null,
        kind text not null, payload jsonb not null, occurred_at timestamptz not null);`);
    const steps: [string, string][] = [
      [
        'documents',
        `insert into documents (owner_id, kind_id, title, body, meta, created_at)
        select 1 + g % 5000, 1 + g % 50, words(6), words(30 + ((g % 1000) * 7919) % 200),
               jsonb_build_object('lang', 'en', 'words', 30 + ((g % 1000) * 7919) % 200, 'source', words(2), 'tags', jsonb_build_array(words(1), words(1), words(1))),
               timestamptz '2021-01-01' + (g || ' minutes')::interval
          from generate_series(1, ${n(300_000)}) g`,
      ],
      [
        'events',
        `insert into events (user_id, kind, payload, occurred_at)
        select 1 + g % 5000, (array['open','edit','share','comment','close'])[1 + g % 5],
               jsonb_build_object('path', '/' || words(2), 'ms', g % 900, 'agent', words(3)), timestamptz '2022-01-01' + (g || ' seconds')::interval
          from generate_series(1, ${n(600_000)}) g`,
      ],
    ];
    for (const [table, sql] of steps) {
      const t = Date.now();
      await c.query(sql);
      log(`  ${table} loaded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    await c.query(`
      create index on documents (owner_id, created_at); create index on documents (kind_id);
      create index on events (user_id, occurred_at);
      drop function words(int); drop table phrase, vocab; analyze;`);
  });
}
