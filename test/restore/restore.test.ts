import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql } from '../helpers/cluster.js';
import { loadPagila } from '../helpers/pagila.js';
import { schemaFingerprint, tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;
let backupId: string;

const databases = async () =>
  (await psql(cluster, 'postgres', 'select datname from pg_database order by 1')).trim().split('\n');

async function restore(args: string[]) {
  const r = await runPgdr(['restore', ...args, '--repo', repo, '--json']);
  expect(r.stdout + r.stderr).not.toContain(cluster.password);
  return { ...r, json: r.code === 0 || r.stdout.startsWith('{') ? JSON.parse(r.stdout || '{}') : undefined };
}

describe('pgdr restore', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await loadPagila(cluster);
    repo = mkdtempSync(join(tmpdir(), 'pgdr-restore-repo-'));
    const b = await runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo, '--json']);
    expect(b.code, b.stderr).toBe(0);
    backupId = JSON.parse(b.stdout).id;
  });

  it('restores Pagila into a new database identical table by table and schema by schema', async () => {
    const r = await restore(['latest', '--db', cluster.urlFor('pagila'), '--new-db', 'pagila_back']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.tables.length).toBeGreaterThanOrEqual(21);
    expect(r.json.mismatches).toBe(0);
    // The checksum's progress ends at 100 % once, before the restore goes on; not again after it.
    const complete = r.stderr.split('\n').filter((l) => /^checksum.*100%/.test(l));
    expect(complete, r.stderr).toHaveLength(1);
    expect(r.stderr.indexOf(complete[0]!)).toBeLessThan(r.stderr.indexOf('Restoring into pagila_back'));
    expect(await tableFingerprints(cluster.target('pagila_back'))).toEqual(
      await tableFingerprints(cluster.target('pagila')),
    );
    expect(await schemaFingerprint(cluster.target('pagila_back'))).toEqual(
      await schemaFingerprint(cluster.target('pagila')),
    );
    const again = await restore(['latest', '--db', cluster.urlFor('pagila'), '--new-db', 'pagila_back']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('--table brings back one table (with its indexes and triggers) and nothing else', async () => {
    const r = await restore([
      backupId,
      '--db',
      cluster.urlFor('pagila'),
      '--new-db',
      'only_film',
      '--table',
      'public.film',
      '--jobs',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.tables.map((t: { table: string }) => t.table)).toEqual(['public.film']);
    expect(
      await psql(
        cluster,
        'only_film',
        `select string_agg(relname, ',' order by relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where relkind in ('r','p','v','m') and nspname = 'public'`,
      ),
    ).toBe('film\n');
    const fingerprint = await tableFingerprints(cluster.target('only_film'));
    expect(fingerprint['public.film']).toEqual((await tableFingerprints(cluster.target('pagila')))['public.film']);
    expect(await psql(cluster, 'only_film', `select count(*) from pg_indexes where tablename = 'film'`)).toBe('5\n');
    expect(
      await psql(
        cluster,
        'only_film',
        `select count(*) from pg_trigger where tgrelid = 'film'::regclass and not tgisinternal`,
      ),
    ).toBe('2\n');
  });

  it('--rows brings back the deleted rows and leaves the others alone', async () => {
    await psql(cluster, 'postgres', 'create database shop template pagila');
    await psql(
      cluster,
      'shop',
      `delete from payment where customer_id = 42; update payment set amount = 999 where customer_id = 43`,
    );
    const before = await tableFingerprints(cluster.target('shop'));
    const r = await restore([
      'latest',
      '--db',
      cluster.urlFor('shop'),
      '--rows',
      'public.payment:customer_id in (42, 43)',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const deleted = Number(await psql(cluster, 'pagila', 'select count(*) from payment where customer_id = 42'));
    const kept = Number(await psql(cluster, 'pagila', 'select count(*) from payment where customer_id = 43'));
    expect(r.json.rows).toMatchObject({ matched: deleted + kept, inserted: deleted, skipped: kept, overwritten: 0 });
    expect(await psql(cluster, 'shop', 'select count(*) from payment where customer_id = 42')).toBe(`${deleted}\n`);
    expect(await psql(cluster, 'shop', 'select count(*) from payment where customer_id = 43 and amount = 999')).toBe(
      `${kept}\n`,
    );
    const after = await tableFingerprints(cluster.target('shop'));
    expect(after['public.rental']).toEqual(before['public.rental']);
    expect((await databases()).filter((d) => d.startsWith('pgdr_'))).toEqual([]);
    const noKey = await restore([
      'latest',
      '--db',
      cluster.urlFor('shop'),
      '--rows',
      'public.payment:customer_id = 43',
      '--on-conflict',
      'overwrite',
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--confirm shop');
  });

  it("long values come back lz4-compressed (the restore session's setting, shown in the plan) and unchanged", async () => {
    await psql(cluster, 'postgres', 'create database longtext');
    await psql(
      cluster,
      'longtext',
      `create table notes (id int primary key, body text); insert into notes select g, repeat('pgdr restores ' || g, 1000) from generate_series(1, 3) g`,
    );
    expect(
      await psql(cluster, 'longtext', "select string_agg(distinct pg_column_compression(body), ',') from notes"),
    ).toBe('pglz\n');
    const own = mkdtempSync(join(tmpdir(), 'pgdr-restore-lz4-'));
    const b = await runPgdr(['backup', '--db', cluster.urlFor('longtext'), '--repo', own]);
    expect(b.code, b.stderr).toBe(0);
    const plan = await runPgdr([
      'restore',
      'latest',
      '--db',
      cluster.urlFor('longtext'),
      '--repo',
      own,
      '--new-db',
      'longtext_back',
      '--dry-run',
    ]);
    expect(plan.stdout).toContain('-c default_toast_compression=lz4');
    const r = await runPgdr([
      'restore',
      'latest',
      '--db',
      cluster.urlFor('longtext'),
      '--repo',
      own,
      '--new-db',
      'longtext_back',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(
      await psql(cluster, 'longtext_back', "select string_agg(distinct pg_column_compression(body), ',') from notes"),
    ).toBe('lz4\n');
    expect(await tableFingerprints(cluster.target('longtext_back'))).toEqual(
      await tableFingerprints(cluster.target('longtext')),
    );
  });

  it('--dry-run prints every step and changes nothing', async () => {
    const before = await databases();
    const shopBefore = await tableFingerprints(cluster.target('shop'));
    const r = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('shop'),
      '--clean',
      '--confirm',
      'shop',
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Safety snapshot of shop');
    expect(r.stdout).toMatch(
      /pg_restore --clean --if-exists --exit-on-error --verbose --jobs=\d --dbname=dbname='shop'/,
    );
    expect(r.stdout).toContain('drops:');
    expect(r.stdout).not.toContain(cluster.password);
    const fresh = await runPgdr(['restore', 'latest', '--repo', repo, '--db', cluster.urlFor('pagila'), '--dry-run']);
    expect(fresh.stdout).toMatch(/Create database pagila_restored_\d{12}/);
    expect(await databases()).toEqual(before);
    expect(await tableFingerprints(cluster.target('shop'))).toEqual(shopBefore);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json']);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('--clean refuses without confirmation, and with --confirm restores in place after a safety snapshot', async () => {
    await psql(cluster, 'shop', 'delete from film_actor where actor_id < 5; create table scratch_note (n int)');
    const before = await tableFingerprints(cluster.target('shop'));
    const refused = await restore(['latest', '--db', cluster.urlFor('shop'), '--clean', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--confirm shop');
    const wrong = await restore(['latest', '--db', cluster.urlFor('shop'), '--clean', '--confirm', 'pagila']);
    expect(wrong.code).toBe(2);
    expect(await tableFingerprints(cluster.target('shop'))).toEqual(before);

    const r = await restore([backupId, '--db', cluster.urlFor('shop'), '--clean', '--confirm', 'shop']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.safetySnapshotId).toMatch(/-full-shop$/);
    expect(r.json.mismatches).toBe(0);
    const restored = await tableFingerprints(cluster.target('shop'));
    const source = await tableFingerprints(cluster.target('pagila'));
    for (const [table, fp] of Object.entries(source)) expect(restored[table], table).toEqual(fp);
    expect(await psql(cluster, 'postgres', `select datconnlimit from pg_database where datname = 'shop'`)).toBe('-1\n');
    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.stdout).toContain(r.json.safetySnapshotId);
  });
});
