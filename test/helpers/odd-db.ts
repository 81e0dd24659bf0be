import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { withClient } from '../../src/pg/client.js';
import type { DbTarget } from '../../src/pg/connection.js';
import { psql } from './cluster.js';

/**
 * A small database shaped like the ones that broke restores in the field (PostgreSQL's own regression database,
 * older schemas, TimescaleDB): inheritance whose children load after the parent, a dotted schema and a dotted table
 * whose "schema.table" keys collide, mixed case, a quoted quote, large objects, a table outside public with a foreign
 * key, a publication, and database-level settings, comment, owner and privileges.
 */
export async function loadOddDatabase(cluster: LocalCluster, name: string): Promise<void> {
  await psql(
    cluster,
    'postgres',
    `do $$ begin
       if not exists (select 1 from pg_roles where rolname = 'odd_owner') then create role odd_owner; end if;
       if not exists (select 1 from pg_roles where rolname = 'odd_reader') then create role odd_reader; end if;
     end $$;
     create database "${name}" owner odd_owner;`,
  );
  await psql(
    cluster,
    name,
    `create table public.a_parent (id int primary key, note text);
     create table public.z_child (extra text) inherits (public.a_parent);
     create table public.zz_grandchild (more int) inherits (public.z_child);
     insert into public.a_parent select g, 'parent ' || g from generate_series(1, 2) g;
     insert into public.z_child select g, 'child', repeat('x', 50) from generate_series(100, 20099) g;
     insert into public.zz_grandchild select g, 'grand', 'y', g from generate_series(50000, 50049) g;

     create schema "s.p";
     create table "s.p".t (id int);
     insert into "s.p".t values (1), (2);
     create schema s;
     create table s."p.t" (id int);
     insert into s."p.t" values (1), (2), (3);

     create schema "MixedCase";
     create table "MixedCase"."Orders" ("Id" int primary key, "Total" numeric);
     insert into "MixedCase"."Orders" select g, g * 1.5 from generate_series(1, 7) g;
     create table public."Quote""Tbl" (v text);
     insert into public."Quote""Tbl" values ('a "quoted" value'), ('two');

     create table public.customers (id int primary key, name text);
     insert into public.customers select g, 'customer ' || g from generate_series(1, 5) g;
     create schema sales;
     create table sales.o2 (id int primary key, customer_id int references public.customers, amount numeric);
     insert into sales.o2 select g, 1 + g % 5, g * 10 from generate_series(1, 40) g;
     create publication odd_pub for table public.customers;

     create table public.documents (id int primary key, body oid);
     insert into public.documents values (1, lo_from_bytea(0, 'first large object')),
                                         (2, lo_from_bytea(0, decode(repeat('ab', 5000), 'hex')));

     alter table public."Quote""Tbl" enable row level security;
     create policy readable on public."Quote""Tbl" for select using (true);
     grant select on sales.o2 to odd_reader;

     alter database "${name}" set timezone to 'Pacific/Chatham';
     alter database "${name}" set search_path to sales, public;
     alter database "${name}" set bytea_output to 'escape';
     alter database "${name}" set lc_monetary to 'C';
     alter role odd_reader in database "${name}" set work_mem to '7MB';
     comment on database "${name}" is 'odd''s database: settings, owner and privileges must come back';
     revoke connect, temporary on database "${name}" from public;
     grant connect on database "${name}" to odd_reader;`,
  );
}

/** What a database carries besides its tables: settings (its own and per role), comment, owner, privileges. */
export async function databaseProperties(target: DbTarget): Promise<Record<string, unknown>> {
  return await withClient(target, async (c) => {
    const { rows } = await c.query<{ owner: string; comment: string | null; acl: string[] | null }>(
      `select pg_get_userbyid(datdba) as owner, shobj_description(oid, 'pg_database') as comment,
              array(select unnest(datacl)::text order by 1) as acl
         from pg_database where datname = current_database()`,
    );
    const settings = await c.query<{ role: string; s: string[] }>(
      `select coalesce(r.rolname, '') as role, array(select unnest(setconfig) order by 1) as s
         from pg_db_role_setting d left join pg_roles r on r.oid = d.setrole
        where d.setdatabase = (select oid from pg_database where datname = current_database()) order by 1`,
    );
    const los = await c.query<{ n: string; h: string }>(
      `select count(*) as n, md5(string_agg(md5(lo_get(oid)), ',' order by oid)) as h from pg_largeobject_metadata`,
    );
    return {
      ...rows[0],
      settings: Object.fromEntries(settings.rows.map((r) => [r.role, r.s])),
      largeObjects: los.rows[0],
    };
  });
}
