import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import { prepareFreshSupabase, seedSandbox } from '../../src/sandbox/seed.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;

describe('pgdr restore --into-supabase', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'project');
    await seedSandbox(cluster.target('project'), { users: 15 });
    await psql(
      cluster,
      'project',
      `create role app_reader nologin; grant usage on schema public to app_reader;
      insert into storage.buckets (id, name) values ('pgdr-test', 'pgdr-test');
      insert into storage.objects (bucket_id, name, owner) select 'pgdr-test', 'u/' || id || '.png', id from auth.users limit 5;`,
    );
    await createDatabase(cluster, 'fresh');
    await prepareFreshSupabase(cluster.target('fresh'));
    repo = mkdtempSync(join(tmpdir(), 'pgdr-restore-supa-'));
  });

  it('brings every row back into a fresh project, auth.users and storage.objects included', async () => {
    const b = await runPgdr(['backup', '--supabase', '--db', cluster.urlFor('project'), '--repo', repo, '--json']);
    expect(b.code, b.stderr).toBe(0);
    const dry = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('fresh'),
      '--into-supabase',
      '--dry-run',
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('roles.sql');
    expect(dry.stdout).toContain('--single-transaction');
    const r = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('fresh'),
      '--into-supabase',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.mismatches).toBe(0);
    expect(result.tables.map((t: { table: string }) => t.table)).toContain('auth.users');
    const source = await tableFingerprints(cluster.target('project'));
    const restored = await tableFingerprints(cluster.target('fresh'));
    expect(Number(await psql(cluster, 'fresh', 'select count(*) from auth.users'))).toBe(15);
    for (const [table, fp] of Object.entries(source)) expect(restored[table], table).toEqual(fp);
    expect(Number(await psql(cluster, 'fresh', `select count(*) from pg_policies where schemaname = 'public'`))).toBe(
      Number(await psql(cluster, 'project', `select count(*) from pg_policies where schemaname = 'public'`)),
    );
    expect(
      Number(
        await psql(
          cluster,
          'fresh',
          `select count(*) from pg_constraint where contype = 'f' and confrelid = 'auth.users'::regclass`,
        ),
      ),
    ).toBeGreaterThan(2);
  });

  it('refuses a backup that was not taken with --supabase', async () => {
    const b = await runPgdr(['backup', '--db', cluster.urlFor('project'), '--repo', repo, '--json']);
    const r = await runPgdr([
      'restore',
      JSON.parse(b.stdout).id,
      '--repo',
      repo,
      '--db',
      cluster.urlFor('fresh'),
      '--into-supabase',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not taken with --supabase');
  });
});
