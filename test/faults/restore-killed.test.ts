import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { pgdrCommand, ROOT, runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { startChaosProxy, type ChaosProxy } from '../helpers/chaos-proxy.js';
import { holdTableLock } from '../helpers/pg-dump-faults.js';
import { keyPair, takeBackup } from '../helpers/backups.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { checked, until } from './fault-helpers.js';

let cluster: LocalCluster;
let s3: S3Emulator;
let repo: string;
let keyFile: string;
let localId: string;
let s3Id: string;
const s3repo = () => `s3://${s3.bucket}/killed`;

/** Every process below `pid` (its children, theirs, …), read from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length;) {
    const next = queue.shift()!;
    const children = [...parent].filter(([, of]) => of === next).map(([child]) => child);
    out.push(...children);
    queue.push(...children);
  }
  return out;
}

/** Running, not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/**
 * `pgdr restore …` in the background, with its own staging directory; `stderr` grows as it prints. With `pauseAt`,
 * pgdr and what it started are stopped (SIGSTOP) the moment it prints that line: `paused` resolves then, and
 * `resume()` lets them go on.
 */
function startRestore(
  args: string[],
  staging: string,
  options: { env?: Record<string, string>; pauseAt?: string } = {},
) {
  const child = spawn(process.execPath, [...pgdrCommand(), 'restore', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', PGDR_STAGING_DIR: staging, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let pausedNow: () => void = () => {};
  const run = {
    pid: child.pid!,
    stderr: '',
    exited: new Promise<number | null>((resolve) => child.on('close', resolve)),
    paused: new Promise<void>((resolve) => (pausedNow = resolve)),
    resume: () => stopped.forEach((pid) => process.kill(pid, 'SIGCONT')),
  };
  let stopped: number[] = [];
  child.stderr.on('data', (c) => {
    run.stderr += c;
    if (options.pauseAt && run.stderr.includes(options.pauseAt)) {
      options.pauseAt = undefined;
      // pgdr first, so it starts nothing more; then whatever it had started already (pg_restore, just spawned).
      process.kill(child.pid!, 'SIGSTOP');
      stopped = [child.pid!, ...descendants(child.pid!)];
      for (const pid of stopped.slice(1)) process.kill(pid, 'SIGSTOP');
      pausedNow();
    }
  });
  child.stdout.resume();
  return run;
}

/** A parallel restore of the local encrypted backup into a new database. */
const restoreArgs = (into: string) => [
  localId,
  '--repo',
  repo,
  '--db',
  cluster.urlFor('app'),
  '--new-db',
  into,
  '--identity',
  keyFile,
  '--jobs',
  '2',
];

const sessionsWaitingOnLock = async (database: string, query = '') =>
  Number(
    await psql(
      cluster,
      'postgres',
      `select count(*) from pg_stat_activity where datname = '${database}' and wait_event_type = 'Lock' and query ilike '${query}%'`,
    ),
  ) > 0;

/** Kills pgdr outright (SIGKILL) and waits for every process it had started to end; returns how many there were. */
async function killAndLook(run: ReturnType<typeof startRestore>): Promise<number> {
  const started = descendants(run.pid);
  process.kill(run.pid, 'SIGKILL');
  await run.exited;
  await until('every process the killed pgdr started to end', () => started.every((p) => !running(p)), 20_000);
  return started.length;
}

describe('fault suite: a restore killed at three points leaves no process, no staging directory, no plaintext', () => {
  let proxy: ChaosProxy;
  beforeAll(async () => {
    cluster = await useClusterWith(
      'app',
      `create table events (id bigint primary key, note text);
       insert into events select g, md5(g::text) || md5((g * 3)::text) from generate_series(1, 60000) g;
       create role killed_reader; grant select on events to killed_reader;
       alter database app set timezone to 'Asia/Kathmandu';`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-killed-'));
    const keys = keyPair(repo);
    keyFile = keys.keyFile;
    localId = await takeBackup(['--db', cluster.urlFor('app'), '--repo', repo, '--encrypt-to', keys.recipient]);
    s3 = await startS3();
    s3Id = await takeBackup(
      ['--db', cluster.urlFor('app'), '--repo', s3repo(), '--encrypt-to', keys.recipient],
      s3.env,
    );
    proxy = await startChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
      { kind: 'stall-download-after', bytes: 300_000 },
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  it('killed while the decrypted archive is being staged: the file was private, and the next pgdr removes it', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    const run = startRestore(
      [s3Id, '--repo', s3repo(), '--db', cluster.urlFor('app'), '--new-db', 'killed_staging', '--identity', keyFile],
      staging,
      { env: { ...s3.env, AWS_ENDPOINT_URL: proxy.url } },
    );
    // The download stalls part-way, so pgdr sits in the middle of staging until it is killed: wait for the first
    // decrypted bytes (pgdr creates the file before the decompressor writes into it, and reads the repository's
    // restore history in between).
    let staged = '';
    await until('the staged archive', () => {
      const dir = readdirSync(staging).find((d) => d.startsWith(`pgdr-staging-${run.pid}-`));
      staged = dir ? join(staging, dir, 'archive.dump') : '';
      return Boolean(staged) && existsSync(staged) && statSync(staged).size > 0;
    });
    expect(statSync(join(staged, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(staged).mode & 0o777).toBe(0o600);
    expect(await killAndLook(run)).toBeGreaterThan(0);
    // Killed outright, pgdr could not remove it: doctor finds it, removes it, and says so.
    // The archive, and the list of what to restore when the restore had begun from the staged head of it.
    const left = filesUnder(staging);
    expect(left).toContain(staged.slice(staging.length + 1));
    expect(
      left.every((f) => /\/(archive\.dump|restore\.list)$/.test(f)),
      left.join(', '),
    ).toBe(true);
    const doctor = await runPgdr(['doctor', '--json', '--no-notify'], { env: { PGDR_STAGING_DIR: staging } });
    const report = JSON.parse(doctor.stdout);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ check: 'staging.leftovers', severity: 'warning', subject: staging }),
    );
    expect(readdirSync(staging)).toEqual([]);
    // The restore may have begun in its new database while the archive was staged: killed outright, pgdr leaves it
    // marked as an unfinished restore (or never got to create it).
    const database = (
      await psql(
        cluster,
        'postgres',
        "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = 'killed_staging'",
      )
    ).trim();
    if (database) expect(database).toMatch(/^pgdr: incomplete restore of backup /);
    await psql(cluster, 'postgres', 'drop database if exists killed_staging');
    checked(
      'restore killed (SIGKILL) while staging the decrypted archive: 0600 file in a 0700 directory; nothing left running; doctor removed it and said so',
    );
  });

  it('killed while pg_restore runs: pg_restore ends too, and the next restore removes the staged archive', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    const run = startRestore(restoreArgs('killed_restoring'), staging, { pauseAt: 'Restoring into killed_restoring' });
    // The plan names where the plaintext goes, and the way to have none on disk.
    const plan = (jobs: string) =>
      runPgdr(['restore', localId, '--repo', repo, '--db', cluster.urlFor('app'), '--jobs', jobs, '--dry-run']);
    expect((await plan('2')).stdout).toContain('--jobs 1 streams instead, with no plaintext on disk');
    expect((await plan('1')).stdout).toContain('streamed into pg_restore: no plaintext on disk');
    // The grants to killed_reader come last and need pg_shdepend: held from before pg_restore starts (pgdr is paused
    // once the new database exists), pg_restore waits there.
    await run.paused;
    const lock = await holdTableLock(cluster, 'postgres', 'pg_catalog.pg_shdepend', 'share');
    run.resume();
    try {
      await until('pg_restore to wait on the lock', () => sessionsWaitingOnLock('killed_restoring'));
      expect(await killAndLook(run)).toBeGreaterThan(0);
    } finally {
      await lock.release();
    }
    expect(filesUnder(staging).some((f) => f.endsWith('archive.dump'))).toBe(true);
    const next = await runPgdr(['restore', ...restoreArgs('after_kill')], { env: { PGDR_STAGING_DIR: staging } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      new RegExp(`Removed \\S+pgdr-staging-${run.pid}-\\S+, left by a pgdr \\(pid ${run.pid}\\) that was killed`),
    );
    expect(readdirSync(staging)).toEqual([]);
    await psql(cluster, 'postgres', 'drop database after_kill; drop database if exists killed_restoring');
    checked(
      'restore killed (SIGKILL) during pg_restore: pg_restore and its workers ended; the next restore removed the staged archive',
    );
  });

  it('killed while the database settings are applied, after the row counts: nothing left running, doctor cleans up', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    // ALTER DATABASE … SET needs pg_db_role_setting: held, pgdr waits there, at the very end of the restore.
    const lock = await holdTableLock(cluster, 'postgres', 'pg_catalog.pg_db_role_setting', 'share');
    let run: ReturnType<typeof startRestore> | undefined;
    try {
      run = startRestore(restoreArgs('killed_settings'), staging);
      await until('the settings to wait on the lock', () => sessionsWaitingOnLock('postgres', 'alter database'));
      expect(run.stderr).toContain('ANALYZE killed_settings and row counts');
      await killAndLook(run);
    } finally {
      await lock.release();
    }
    const doctor = await runPgdr(['doctor', '--json', '--no-notify'], { env: { PGDR_STAGING_DIR: staging } });
    expect(JSON.parse(doctor.stdout).findings).toContainEqual(
      expect.objectContaining({ check: 'staging.leftovers', severity: 'warning' }),
    );
    expect(readdirSync(staging)).toEqual([]);
    // Killed before it finished, the database still says it is an incomplete restore.
    expect(
      await psql(
        cluster,
        'postgres',
        "select shobj_description(oid, 'pg_database') from pg_database where datname = 'killed_settings'",
      ),
    ).toMatch(/^pgdr: incomplete restore/);
    await psql(cluster, 'postgres', 'drop database killed_settings');
    checked(
      'restore killed (SIGKILL) while applying the database settings: nothing left running; doctor removed the staging directory; the database marked incomplete',
    );
  });

  it('SIGTERM while pg_restore runs: everything ends and goes at once — processes, staging directory, new database', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));
    const run = startRestore(restoreArgs('terminated'), staging, { pauseAt: 'Restoring into terminated' });
    await run.paused;
    const lock = await holdTableLock(cluster, 'postgres', 'pg_catalog.pg_shdepend', 'share');
    run.resume();
    let started: number[] = [];
    try {
      await until('pg_restore to wait on the lock', () => sessionsWaitingOnLock('terminated'));
      started = descendants(run.pid);
      process.kill(run.pid, 'SIGTERM');
    } finally {
      // Dropping the half-made database needs pg_shdepend too.
      await lock.release();
    }
    expect(await run.exited).toBe(130);
    expect(started.length).toBeGreaterThan(0);
    await until('pg_restore and its workers to end', () => started.every((p) => !running(p)));
    expect(readdirSync(staging)).toEqual([]);
    expect(run.stderr).toContain('half-restored database terminated was dropped');
    checked(
      'restore stopped (SIGTERM) during pg_restore: processes ended, staging directory and half-made database gone at once',
    );
  });
});
