import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { loadPagila } from '../helpers/pagila.js';
import { tableFingerprints, schemaFingerprint } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import { holdTableLock, killPgDump } from '../helpers/pg-dump-faults.js';
import { generateIdentity } from '../../src/crypto/index.js';
import { libpqEnv } from '../../src/pg/connection.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { manifestTables, tableLabel } from '../../src/backup/manifest-tables.js';

let cluster: LocalCluster;
const repoDir = () => mkdtempSync(join(tmpdir(), 'pgdr-repo-'));

async function backupJson(args: string[], env: Record<string, string> = {}) {
  const r = await runPgdr(['backup', ...args, '--json'], { env });
  expect(r.stderr + r.stdout, r.stderr).not.toContain(cluster.password);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: string; location: string; bytes: number; sha256: string };
}

const manifestOf = (repo: string, id: string) =>
  JSON.parse(readFileSync(join(repo, 'backups', id, 'manifest.json'), 'utf8')) as BackupManifest;

describe('pgdr backup', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await loadPagila(cluster);
  });

  it('takes a Pagila backup that pg_restore brings back identical, table by table and schema by schema', async () => {
    const repo = repoDir();
    const result = await backupJson(['--db', cluster.urlFor('pagila'), '--repo', repo]);
    expect(result.id).toMatch(/^\d{8}T\d{6}Z-full-pagila$/);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    const dir = join(repo, 'backups', result.id);
    expect(readdirSync(dir).sort()).toEqual(['SHA256SUMS', 'data.dump.zst', 'manifest.json']);
    const manifest = manifestOf(repo, result.id);
    const rows = Object.fromEntries(manifestTables(manifest).map((t) => [tableLabel(t), t.rows]));
    expect(rows['public.rental']).toBe(16044);
    expect(rows['public.payment_p2022_01']).toBeGreaterThan(0);
    expect(manifest.server.major).toBe(15);
    expect(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).toBe(`${result.sha256}  data.dump.zst\n`);
    expect(
      execFileSync('sha256sum', [join(dir, 'data.dump.zst')])
        .toString()
        .split(' ')[0],
    ).toBe(result.sha256);

    // pzstd (installed with zstd here) wrote it: independent frames, each after a skippable frame (magic 0x184D2A50)
    // that tells pzstd where it ends, so a restore decompresses them on every core.
    expect(readFileSync(join(dir, 'data.dump.zst')).readUInt32LE(0).toString(16)).toBe('184d2a50');
    // What an operator without pgdr would do: zstd -d | pg_restore (plain zstd reads pzstd's frames).
    await createDatabase(cluster, 'pagila_copy');
    const archive = join(repo, 'copy.dump');
    execFileSync('zstd', ['-q', '-d', join(dir, 'data.dump.zst'), '-o', archive]);
    execFileSync(join(cluster.binDir, 'pg_restore'), ['--exit-on-error', '-d', 'pagila_copy', archive], {
      env: libpqEnv(cluster.target('pagila_copy')),
    });
    expect(await tableFingerprints(cluster.target('pagila_copy'))).toEqual(
      await tableFingerprints(cluster.target('pagila')),
    );
    expect(await schemaFingerprint(cluster.target('pagila_copy'))).toEqual(
      await schemaFingerprint(cluster.target('pagila')),
    );

    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(result.id);
    expect(list.stdout).toContain('never');
  });

  it('encrypts to an age recipient so the age CLI decrypts it, and verify with a restore test passes', async () => {
    const repo = repoDir();
    const { identity, recipient } = generateIdentity();
    const keyFile = join(repo, 'key.txt');
    writeFileSync(keyFile, `# test key\n${identity}\n`, { mode: 0o600 });
    const result = await backupJson(['--db', cluster.urlFor('pagila'), '--repo', repo, '--encrypt-to', recipient]);
    const file = join(repo, 'backups', result.id, 'data.dump.zst.age');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    const plain = join(repo, 'plain.dump');
    execFileSync('sh', ['-c', `age -d -i "${keyFile}" "${file}" | zstd -q -d -o "${plain}"`]);
    const toc = execFileSync(join(cluster.binDir, 'pg_restore'), ['--list', plain]).toString();
    expect(toc).toContain('TABLE DATA public rental');

    const noKey = await runPgdr(['backup', 'verify', result.id, '--repo', repo]);
    expect(noKey.code).toBe(0);
    expect(noKey.stderr).toContain('checked the checksums only');
    const noKeyRestore = await runPgdr([
      'backup',
      'verify',
      result.id,
      '--repo',
      repo,
      '--restore-test',
      '--scratch-db',
      cluster.url,
    ]);
    expect(noKeyRestore.code).toBe(2);
    expect(noKeyRestore.stderr).toContain('--identity FILE');

    const verify = await runPgdr([
      'backup',
      'verify',
      'latest',
      '--repo',
      repo,
      '--identity',
      keyFile,
      '--restore-test',
      '--scratch-db',
      cluster.url,
      '--json',
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    const v = JSON.parse(verify.stdout);
    expect(v.ok).toBe(true);
    expect(v.decrypted).toBe(true);
    expect(v.restoreTest.mismatches).toEqual([]);
    expect(v.restoreTest.tablesChecked).toBe(manifestTables(manifestOf(repo, result.id)).length);
    expect(v.restoreTest.objects.views).toBeGreaterThan(5);
    expect(await psql(cluster, 'postgres', "select count(*) from pg_database where datname like 'pgdr_verify%'")).toBe(
      '0\n',
    );
    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.stdout).toMatch(/ok .*\(restored\)/);

    const wrong = generateIdentity();
    writeFileSync(keyFile, wrong.identity + '\n');
    const bad = await runPgdr(['backup', 'verify', result.id, '--repo', repo, '--identity', keyFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/decryption/);
  });

  it('encrypts with a passphrase from the environment, and takes the directory format in parallel', async () => {
    const repo = repoDir();
    const secret = 'correct horse battery staple';
    const enc = await backupJson(
      ['schema', '--db', cluster.urlFor('pagila'), '--repo', repo, '--passphrase-env', 'BACKUP_PASS'],
      { BACKUP_PASS: secret },
    );
    expect(manifestOf(repo, enc.id).encryption).toEqual({ format: 'age', recipients: [], passphrase: true });
    const ok = await runPgdr(
      ['backup', 'verify', enc.id, '--repo', repo, '--passphrase-env', 'BACKUP_PASS', '--json'],
      { env: { BACKUP_PASS: secret } },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).decrypted).toBe(true);
    const wrong = await runPgdr(['backup', 'verify', enc.id, '--repo', repo, '--passphrase-env', 'BACKUP_PASS'], {
      env: { BACKUP_PASS: 'nope nope' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout + wrong.stderr).not.toContain(secret);

    const dir = await backupJson([
      '--format',
      'directory',
      '--jobs',
      '2',
      '--db',
      cluster.urlFor('pagila'),
      '--repo',
      repo,
    ]);
    const m = manifestOf(repo, dir.id);
    expect(m.format).toBe('directory');
    expect(m.files.map((f) => f.path)).toContain('data/toc.dat');
    const verified = await runPgdr([
      'backup',
      'verify',
      dir.id,
      '--repo',
      repo,
      '--restore-test',
      '--scratch-db',
      cluster.url,
      '--json',
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout).restoreTest.mismatches).toEqual([]);
    const refused = await runPgdr(
      [
        'backup',
        '--format',
        'directory',
        '--db',
        cluster.urlFor('pagila'),
        '--repo',
        repo,
        '--passphrase-env',
        'BACKUP_PASS',
      ],
      { env: { BACKUP_PASS: secret } },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('plaintext would touch disk');
  });

  it('fails verify when one byte of the archive is flipped', async () => {
    const repo = repoDir();
    const result = await backupJson(['--db', cluster.urlFor('pagila'), '--repo', repo]);
    const file = join(repo, 'backups', result.id, 'data.dump.zst');
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(file, bytes);
    const verify = await runPgdr(['backup', 'verify', result.id, '--repo', repo]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('does not match its checksum');
    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.stdout).toContain('FAILED');
  });

  it('backs up only the named tables, partitions of a partitioned table included', async () => {
    const repo = repoDir();
    const result = await backupJson([
      'tables',
      '--table',
      'film',
      '--table',
      'public.payment',
      '--db',
      cluster.urlFor('pagila'),
      '--repo',
      repo,
    ]);
    const m = manifestOf(repo, result.id);
    expect(m.kind).toBe('tables');
    const tables = manifestTables(m).map(tableLabel);
    expect(tables).toContain('public.film');
    expect(tables.filter((t) => t.startsWith('public.payment_p'))).toHaveLength(7);
    expect(tables).not.toContain('public.rental');
    const unknown = await runPgdr([
      'backup',
      'tables',
      '--table',
      'flim',
      '--db',
      cluster.urlFor('pagila'),
      '--repo',
      repo,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Table "flim" was not found');
    expect(unknown.stderr).toContain('Did you mean');
  });

  it('leaves nothing behind when pg_dump is killed mid-run', async () => {
    const repo = repoDir();
    const lock = await holdTableLock(cluster, 'pagila', 'public.rental');
    let pid = 0;
    const running = runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo], {
      onSpawn: (p) => (pid = p),
    });
    const killed = await killPgDump(() => pid);
    await lock.release();
    const r = await running;
    expect(killed).toBe(true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pg_dump was killed by SIGKILL/);
    expect(r.stderr).toContain('partial backup was removed');
    expect(readdirSync(join(repo, 'backups'))).toEqual([]);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('refuses a second backup of the same database into the same repository while one runs', async () => {
    const repo = repoDir();
    const lock = await holdTableLock(cluster, 'pagila', 'public.film');
    const first = runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo]);
    await new Promise((r) => setTimeout(r, 2500));
    const second = await runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo]);
    await lock.release();
    expect((await first).code).toBe(0);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/lock|already running|in progress/i);
  });

  it('gives two backups taken within the same second different ids, both listed', async () => {
    const { takeBackup } = await import('../../src/backup/index.js');
    const { openRepository } = await import('../../src/storage/index.js');
    const { quietContext } = await import('../../src/core/context.js');
    const repo = openRepository(repoDir());
    const first = await takeBackup({ target: cluster.target('pagila'), repo, kind: 'schema' }, quietContext());
    const second = await takeBackup({ target: cluster.target('pagila'), repo, kind: 'schema' }, quietContext());
    expect(second.id).not.toBe(first.id);
    expect(second.id > first.id).toBe(true);
    expect(await repo.listDirs('backups/')).toEqual([first.id, second.id]);
  });

  it('says clearly when the database cannot be reached or the input is wrong', async () => {
    const repo = repoDir();
    const refused = await runPgdr(['backup', '--db', `postgres://postgres:s3cretpw@127.0.0.1:1/x`, '--repo', repo]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Could not connect to postgres://postgres:***@127.0.0.1:1/x');
    expect(refused.stderr).not.toContain('s3cretpw');
    const badUrl = await runPgdr(['backup', '--db', 'mysql://x', '--repo', repo]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('not a postgres:// URL');
    const badKind = await runPgdr(['backup', 'everything', '--db', cluster.url, '--repo', repo]);
    expect(badKind.code).toBe(2);
    const noPass = await runPgdr([
      'backup',
      '--db',
      cluster.urlFor('pagila'),
      '--repo',
      repo,
      '--passphrase-env',
      'PGDR_NOPE',
    ]);
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toContain('PGDR_NOPE');
    expect(readdirSync(repo).filter((f) => f !== 'locks')).toEqual(
      readdirSync(repo).includes('backups') ? ['backups'] : [],
    );
  });
});
