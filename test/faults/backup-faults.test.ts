import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { startChaosProxy } from '../helpers/chaos-proxy.js';
import { alive, holdTableLock, killPgDump, pgDumpOf } from '../helpers/pg-dump-faults.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { checked, sleep, until } from './fault-helpers.js';

let cluster: LocalCluster;
let s3: S3Emulator;
const repoDir = () => mkdtempSync(join(tmpdir(), 'pgdr-fault-'));

/** Files anywhere under dir (a partial upload shows up as one). */
const filesUnder = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [];

async function listed(repo: string, env: Record<string, string> = {}): Promise<string[]> {
  const r = await runPgdr(['backups', 'list', '--repo', repo, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((b) => b.id);
}

describe('fault suite: backup', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    // About 40 MB of hard-to-compress text: the dump takes long enough to be killed in the middle.
    await psql(cluster, 'postgres', 'create database big');
    await psql(
      cluster,
      'big',
      `create table t as select g as id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) as a from generate_series(1, 350000) g`,
    );
    s3 = await startS3();
  });
  afterAll(async () => s3?.stop());

  it('SIGKILL of pgdr while pg_dump waits: nothing is listed, and the next backup takes over the stale lock', async () => {
    const repo = repoDir();
    const lock = await holdTableLock(cluster, 'big', 't');
    let pid = 0;
    const running = runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo], { onSpawn: (p) => (pid = p) });
    await until('pg_dump to start', () => pid > 0 && pgDumpOf(pid) !== undefined);
    const dumpPid = pgDumpOf(pid)!;
    process.kill(pid, 'SIGKILL');
    await running;
    await lock.release();
    await until('the orphaned pg_dump to exit', () => !alive(dumpPid));
    expect(await listed(repo)).toEqual([]);
    const list = await runPgdr(['backups', 'list', '--repo', repo]);
    expect(list.stdout).toContain('unfinished backup directory');
    const next = await runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(await listed(repo)).toEqual([JSON.parse(next.stdout).id]);
    checked('SIGKILL of pgdr mid-backup: no partial backup listed; stale lock taken over by the next backup');
  });

  it('SIGKILL of pg_dump while data flows: non-zero exit, the partial file removed, nothing listed', async () => {
    const repo = repoDir();
    let pid = 0;
    const running = runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--compress', 'none'], {
      onSpawn: (p) => (pid = p),
    });
    await until('data to reach the repository', () =>
      filesUnder(join(repo, 'backups')).some((f) => f.endsWith('.partial')),
    );
    expect(await killPgDump(() => pid)).toBe(true);
    const r = await running;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pg_dump was killed by SIGKILL');
    expect(r.stderr).toContain('partial backup was removed');
    expect(filesUnder(join(repo, 'backups'))).toEqual([]);
    expect(await listed(repo)).toEqual([]);
    checked('SIGKILL of pg_dump mid-stream: clear error, partial file removed, nothing listed');
  });

  it('an S3 endpoint that refuses connections: retries, then a clear error naming the endpoint', async () => {
    const proxy = await startChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
      { kind: 'refuse' },
    );
    try {
      const started = Date.now();
      const r = await runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', `s3://${s3.bucket}/refused`], {
        env: { ...s3.env, AWS_ENDPOINT_URL: proxy.url },
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/127\.0\.0\.1:\d+/);
      expect(r.stderr).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY!);
      expect(proxy.connections()).toBeGreaterThan(1);
      expect(Date.now() - started).toBeLessThan(90_000);
    } finally {
      await proxy.stop();
    }
    checked('S3 refusing connections: retried, then a clear error naming the endpoint');
  });

  it('an S3 endpoint that drops uploads midway: no open multipart upload, no partial object, nothing listed', async () => {
    const proxy = await startChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
      { kind: 'drop-after', bytes: 2_000_000 },
    );
    const repo = `s3://${s3.bucket}/dropped`;
    try {
      const r = await runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--compress', 'none'], {
        env: { ...s3.env, AWS_ENDPOINT_URL: proxy.url },
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('partial backup was removed');
      expect(proxy.connections()).toBeGreaterThan(2);
    } finally {
      await proxy.stop();
    }
    expect(await s3.uploadsInProgress()).toEqual([]);
    expect(await listed(repo, s3.env)).toEqual([]);
    const { openRepository } = await import('../../src/storage/index.js');
    expect(await openRepository(repo, { env: s3.env }).list('backups/')).toEqual([]);
    checked(
      'S3 dropping connections mid-upload: retried, then failed cleanly; no open multipart upload, no partial object',
    );
  });

  it('SIGKILL of pgdr mid-upload to S3: nothing listed; the next backup aborts the open multipart upload', async () => {
    const repo = `s3://${s3.bucket}/killed`;
    let pid = 0;
    const running = runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--compress', 'none'], {
      env: s3.env,
      onSpawn: (p) => (pid = p),
    });
    const end = Date.now() + 60_000;
    while ((await s3.uploadsInProgress()).length === 0) {
      if (Date.now() > end) throw new Error('no multipart upload ever started');
      await sleep(100);
    }
    const dumpPid = pgDumpOf(pid);
    process.kill(pid, 'SIGKILL');
    await running;
    if (dumpPid) await until('the orphaned pg_dump to exit', () => !alive(dumpPid));
    expect(await listed(repo, s3.env)).toEqual([]);
    expect(await s3.uploadsInProgress()).toHaveLength(1);
    // Nothing could abort the upload of a killed process: the next backup of that database does.
    const next = await runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--json'], { env: s3.env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('unfinished upload(s) an interrupted backup of big left');
    expect(await s3.uploadsInProgress()).toEqual([]);
    expect(await listed(repo, s3.env)).toEqual([JSON.parse(next.stdout).id]);
    checked('SIGKILL of pgdr mid-upload to S3: nothing listed; the next backup aborted the open multipart upload');
  });

  it('a full disk: a clean error that says so, and the partial files removed', async () => {
    if (process.getuid?.() !== 0) throw new Error('the disk-full case mounts a tmpfs and needs root (CI runs as root)');
    const mountpoint = mkdtempSync(join(tmpdir(), 'pgdr-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountpoint]);
    try {
      const repo = join(mountpoint, 'repo');
      mkdirSync(repo);
      const r = await runPgdr(['backup', '--db', cluster.urlFor('big'), '--repo', repo, '--compress', 'none']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/no space left|disk is full/i);
      expect(r.stderr).toContain('partial backup was removed');
      expect(filesUnder(join(repo, 'backups'))).toEqual([]);
      expect(await listed(repo)).toEqual([]);
    } finally {
      execFileSync('umount', [mountpoint]);
    }
    checked('disk full: clean error naming it, partial files removed, nothing listed');
  });
});
