import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCluster } from '../helpers/cluster.js';
import { loadPagila } from '../helpers/pagila.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import { takeBackup } from '../helpers/backups.js';
import { clusterParentDir, freePort, type LocalCluster } from '../../src/sandbox/local-cluster.js';
import { withClient } from '../../src/pg/client.js';
import { runProcess } from '../../src/core/system.js';
import { asServerUser, handToServerUser } from '../../src/pg/server-user.js';
import type { DbTarget } from '../../src/pg/connection.js';

let cluster: LocalCluster;
let repo: string;
let base: string;
const started: string[] = [];

const restored = (dir: string, port: number, database = 'pagila'): DbTarget => ({
  host: dir,
  port,
  user: 'postgres',
  database,
  source: 'test',
  display: `new cluster ${dir}`,
});

const pgCtl = (cluster: LocalCluster, args: string[]) => {
  const [cmd, argv] = asServerUser(join(cluster.binDir, 'pg_ctl'), args);
  return runProcess(cmd, argv, { cwd: '/' });
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !test(); await new Promise((r) => setTimeout(r, 50)))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** Starts `pgdr restore --new-cluster dir` and returns once its load server runs. */
async function restoreUntilLoading(dir: string) {
  const port = await freePort();
  let pid = 0;
  const run = runPgdr(['restore', 'latest', '--repo', repo, '--new-cluster', dir, '--port', String(port)], {
    onSpawn: (p) => (pid = p),
  });
  const pidFile = join(dir, 'postmaster.pid');
  // After initdb (whose bootstrap backend writes a postmaster.pid too): the marker, then the load's server.
  await until(
    'the load server',
    () =>
      existsSync(join(dir, 'PGDR_INCOMPLETE')) && existsSync(pidFile) && readFileSync(pidFile, 'utf8').includes('\n'),
  );
  return { run, pid, port, postmaster: Number(readFileSync(pidFile, 'utf8').split('\n')[0]) };
}

describe('restore --new-cluster: a cluster pgdr creates, loaded with durability off, handed over durable', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await loadPagila(cluster);
    base = mkdtempSync(join(clusterParentDir(), 'pgdr-new-cluster-'));
    chmodSync(base, 0o755);
    repo = join(base, 'repo');
    await takeBackup(['--db', cluster.urlFor('pagila'), '--repo', repo]);
  });
  afterAll(async () => {
    for (const dir of started) await pgCtl(cluster, ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(base, { recursive: true, force: true });
  });

  it('restores every table equal to the source into a new cluster that then runs with production settings', async () => {
    const dir = join(base, 'one');
    const port = await freePort();
    const r = await runPgdr(['restore', 'latest', '--repo', repo, '--new-cluster', dir, '--port', String(port)]);
    started.push(dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('every row count matches');
    expect(r.stdout).toContain(`psql -h ${dir} -p ${port} -U postgres -d pagila`);
    expect(existsSync(join(dir, 'PGDR_INCOMPLETE'))).toBe(false);
    expect(await tableFingerprints(restored(dir, port))).toEqual(await tableFingerprints(cluster.target('pagila')));
    const show = await withClient(restored(dir, port), async (c) => {
      const out: Record<string, string> = {};
      for (const s of [
        'fsync',
        'full_page_writes',
        'synchronous_commit',
        'wal_level',
        'autovacuum',
        'listen_addresses',
      ])
        out[s] = (await c.query(`show ${s}`)).rows[0][s];
      return out;
    });
    expect(show).toEqual({
      fsync: 'on',
      full_page_writes: 'on',
      synchronous_commit: 'on',
      wal_level: 'replica',
      autovacuum: 'on',
      listen_addresses: 'localhost',
    });
    // The load's settings were never on disk: a plain restart keeps the production ones.
    expect(readFileSync(join(dir, 'postgresql.conf'), 'utf8')).not.toMatch(/^fsync = off/m);

    // Never over what a directory holds, this one included.
    const again = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--new-cluster',
      dir,
      '--port',
      String(port + 1),
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('refuses a major that is not installed, naming the package, and creates nothing', async () => {
    const dir = join(base, 'old');
    const r = await runPgdr(['restore', 'latest', '--repo', repo, '--new-cluster', dir, '--pg-version', '99']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('apt-get install postgresql-99');
    expect(existsSync(dir)).toBe(false);
  });

  it('--dry-run lists every setting during the load and after it, and changes nothing', async () => {
    const dir = join(base, 'dry');
    const r = await runPgdr(['restore', 'latest', '--repo', repo, '--new-cluster', dir, '--port', '5999', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    for (const line of [
      /fsync +off +on /,
      /full_page_writes +off +on /,
      /wal_level +minimal +replica /,
      /max_wal_senders +0 +10 /,
      /archive_mode +off +off /,
      /autovacuum +off +on /,
      /listen_addresses +'' +'localhost' /,
    ])
      expect(r.stdout).toMatch(line);
    expect(r.stdout).toMatch(/sync -f|initdb --sync-only/);
    expect(existsSync(dir)).toBe(false);
  });

  it('kill -9 of pgdr mid-restore: no server left, the directory marked, and refused with a clear message', async () => {
    const dir = join(base, 'killed');
    mkdirSync(dir);
    const { run, pid, postmaster, port } = await restoreUntilLoading(dir);
    process.kill(pid, 'SIGKILL');
    await run;
    await until('the postmaster to end', () => !alive(postmaster));
    expect(existsSync(join(dir, 'PGDR_INCOMPLETE'))).toBe(true);
    // A manual start refuses: postgresql.conf includes the marker, which is no configuration file.
    const log = join(base, 'manual-start.log');
    writeFileSync(log, '');
    handToServerUser(log);
    await expect(pgCtl(cluster, ['-D', dir, '-l', log, '-w', '-t', '20', 'start'])).rejects.toThrow();
    expect(readFileSync(log, 'utf8')).toContain('PGDR_INCOMPLETE');
    const again = await runPgdr(['restore', 'latest', '--repo', repo, '--new-cluster', dir, '--port', String(port)]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('is an incomplete pgdr restore');
    expect(again.stderr).toContain(`rm -rf ${dir}`);
  });

  it('Ctrl-C mid-restore: the server stopped, the directory marked, and said so', async () => {
    const dir = join(base, 'interrupted');
    const { run, pid, postmaster } = await restoreUntilLoading(dir);
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('interrupted');
    expect(r.stderr).toContain('is marked unusable (PGDR_INCOMPLETE)');
    expect(alive(postmaster)).toBe(false);
    expect(existsSync(join(dir, 'PGDR_INCOMPLETE'))).toBe(true);
  });

  it("the complete-loss runbook's new_cluster_dir: the restored target's port, superuser and password, then its checks", async () => {
    const dir = join(base, 'runbook');
    const port = await freePort();
    const verified = await runPgdr(['backup', 'verify', 'latest', '--repo', repo]);
    expect(verified.code, verified.stderr).toBe(0);
    const url = `postgres://postgres@127.0.0.1:${port}/pagila`;
    const r = await runPgdr(
      [
        'run',
        'complete-loss',
        '--repo',
        repo,
        '--db',
        url,
        '--target',
        `restored=${url}`,
        '--input',
        `new_cluster_dir=${dir}`,
        '--plain',
        '--yes',
        '--operator',
        'tester',
        '--answer',
        'confirm-loss=all',
        '--answer',
        'close=all',
        '--runs-dir',
        join(base, 'runs'),
      ],
      // The password becomes the new superuser's, so the steps after it log in over TCP as to the lost server.
      { env: { PGPASSWORD: 'runbook-secret' } },
    );
    started.push(dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ validate\/ping succeeded/);
    expect(r.stdout).toMatch(/✔ validate\/row-counts succeeded/);
    expect(r.stdout).not.toContain('runbook-secret');
  });
});
