import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { useCluster, createDatabase, psql } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { seedSandbox } from '../../src/sandbox/seed.js';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { manifestTables, tableLabel } from '../../src/backup/manifest-tables.js';

describe('pgdr backup --supabase', () => {
  it('keeps auth and storage with their data, leaves out the managed schemas, and stores the custom roles beside the archive', async () => {
    const cluster = await useCluster();
    await createDatabase(cluster, 'app');
    await seedSandbox(cluster.target('app'));
    await psql(
      cluster,
      'app',
      `create schema vault; create table vault.secrets (id int, secret text); insert into vault.secrets values (1, 'top');
      create role app_reporter nologin; grant authenticated to app_reporter;`,
    );
    const repo = mkdtempSync(join(tmpdir(), 'pgdr-supa-'));
    const r = await runPgdr(['backup', '--supabase', '--db', cluster.urlFor('app'), '--repo', repo, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout);
    const dir = join(repo, 'backups', id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.supabase).toBe(true);
    const rows = Object.fromEntries(manifestTables(manifest).map((t) => [tableLabel(t), t.rows]));
    expect(rows['auth.users']).toBe(200);
    expect(rows['storage.objects']).toBe(600);
    expect(Object.keys(rows).some((t) => t.startsWith('vault.'))).toBe(false);
    expect(manifest.extras?.map((e) => e.path)).toEqual(['roles.sql']);
    expect(readdirSync(dir).sort()).toEqual(['SHA256SUMS', 'data.dump.zst', 'manifest.json', 'roles.sql']);
    const roles = readFileSync(join(dir, 'roles.sql'), 'utf8');
    expect(roles).toContain('CREATE ROLE app_reporter');
    expect(roles).not.toMatch(/CREATE ROLE (anon|authenticated|service_role|postgres)\b/);
    expect(roles).not.toMatch(/PASSWORD '/);
    const toc = execFileSync('sh', [
      '-c',
      `zstd -q -d -c "${join(dir, 'data.dump.zst')}" | "${join(cluster.binDir, 'pg_restore')}" --list`,
    ]).toString();
    expect(toc).toContain('TABLE DATA auth users');
    expect(toc).toContain('TABLE DATA storage objects');
    expect(toc).not.toContain('vault');
    expect(toc).toContain('POLICY public essays essays_owner');
  });
});
