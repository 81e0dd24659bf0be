/**
 * bench/backup: `pgdr backup` against the seeds' way (`pg_dump | gzip > f && sha256sum f`) on a realistic database.
 *   node --import tsx bench/backup.ts [--mb 800] [--url postgres://…/db --small-url postgres://…/db] [--keep]
 *        [--no-s3] [--s3-rounds 3] [--no-pin]
 * Prints wall time, artifact size and pgdr's peak RSS for: the seeds' way, pgdr (checksum), pgdr + age encryption,
 * pgdr to an S3 emulator against pgdr to a local directory in paired rounds (pgdr pinned to CPU 0 and the emulator to
 * CPU 1 with taskset, unless --no-pin); and pgdr's peak RSS on a database a tenth of the size, to show memory does not grow with it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startLocalCluster, type LocalCluster } from '../src/sandbox/local-cluster.js';
import { withClient } from '../src/pg/client.js';
import { parseTarget, libpqEnv, type DbTarget } from '../src/pg/connection.js';
import { generateIdentity } from '../src/crypto/index.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { buildCli, median, peakRss } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '800' },
    url: { type: 'string' },
    'small-url': { type: 'string' },
    keep: { type: 'boolean' },
    s3: { type: 'boolean', default: true },
    's3-rounds': { type: 'string', default: '3' },
    'no-pin': { type: 'boolean' },
  },
});
const mb = Number(values.mb);

async function database(cluster: LocalCluster | undefined, name: string, size: number): Promise<DbTarget> {
  if (values.url && name === 'big') return parseTarget(values.url, '--url');
  await withClient(cluster!.target(), (c) => c.query(`create database ${name}`));
  const t = Date.now();
  process.stderr.write(`creating a realistic ${size} MB database "${name}"…\n`);
  await createRealisticDb(cluster!.target(name), size, (m) => process.stderr.write(m + '\n'));
  process.stderr.write(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  return cluster!.target(name);
}

/** A process's user + system CPU seconds so far (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const dbSize = (t: DbTarget) =>
  withClient(t, async (c) =>
    Number((await c.query<{ n: string }>('select pg_database_size(current_database()) n')).rows[0]!.n),
  );
const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + statSync(join(e.parentPath, e.name)).size, 0);

interface Measured {
  seconds: number;
  rssKiB: number;
  /** User + system CPU seconds of the process and the children it waited for (pg_dump, pzstd). */
  cpu: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.slice(-2000)}`));
      const [user, system] = err.trim().split('\n').pop()!.split(' ').map(Number);
      resolve({ seconds, rssKiB: peakRss(err.trim().split(' ').pop()!), cpu: user! + system! });
    });
  });
}

const cluster = values.url ? undefined : await startLocalCluster({ durable: true });
const work = mkdtempSync(join(tmpdir(), 'pgdr-bench-'));
try {
  const cli = await buildCli();
  const big = await database(cluster, 'big', mb);
  const small = values['small-url']
    ? parseTarget(values['small-url'], '--small-url')
    : values.url
      ? undefined
      : await database(cluster, 'small', Math.round(mb / 10));
  const env = { ...process.env, ...libpqEnv(big), NO_COLOR: '1' };
  const rows: string[][] = [];
  const add = (what: string, r: { seconds: number; rssKiB?: number }, bytes: number, base?: number) =>
    rows.push([
      what,
      `${r.seconds.toFixed(1)} s`,
      base ? `${(r.seconds / base).toFixed(2)}×` : '1.00×',
      `${(bytes / 1048576).toFixed(0)} MiB`,
      r.rssKiB ? `${(r.rssKiB / 1024).toFixed(0)} MiB` : '',
    ]);

  const seedFile = join(work, 'seed.sql.gz');
  const seeds = await run(
    'sh',
    ['-c', `pg_dump --no-password | gzip > "${seedFile}" && sha256sum "${seedFile}" > "${seedFile}.sha256"`],
    env,
  );
  add('seeds: pg_dump | gzip > f && sha256sum f', seeds, statSync(seedFile).size);
  rmSync(seedFile);

  const url = (t: DbTarget) => `postgres://${t.user}@${t.host}:${t.port}/${t.database}`;
  const local = join(work, 'repo');
  const plain = await run(process.execPath, [cli, 'backup', '--db', url(big), '--repo', local, '--no-encrypt'], env);
  add('pgdr backup (pzstd, sha256)', plain, dirBytes(local), seeds.seconds);
  rmSync(local, { recursive: true });

  const { recipient } = generateIdentity();
  const encrypted = await run(
    process.execPath,
    [cli, 'backup', '--db', url(big), '--repo', local, '--encrypt-to', recipient],
    env,
  );
  add('pgdr backup --encrypt-to (pzstd, age, sha256)', encrypted, dirBytes(local), seeds.seconds);
  rmSync(local, { recursive: true });

  if (values.s3) {
    // pgdr to S3 against pgdr to a local directory, in paired rounds. With two cores or more and taskset, pgdr (and
    // pg_dump, pzstd it starts) runs on CPU 0 in both ways and the emulator on CPU 1, so the emulator's own work (a
    // Node process holding every object in memory) does not take pgdr's CPU; the server is not pinned.
    const { startS3 } = await import('../test/helpers/s3.js');
    const s3 = await startS3();
    const pin = !values['no-pin'] && os.availableParallelism() >= 2 && existsSync('/usr/bin/taskset');
    const pinned = (args: string[]) => (pin ? ['taskset', '-c', '0', ...args] : args);
    try {
      if (pin) await run('taskset', ['-a', '-p', '-c', '1', String(s3.pid)], process.env);
      const local: Measured[] = [];
      const remote: Measured[] = [];
      for (let round = 1; round <= Number(values['s3-rounds']); round++) {
        const backup = (repo: string, extra: NodeJS.ProcessEnv = {}) => {
          const [cmd, ...args] = pinned([
            ...[process.execPath, cli, 'backup', '--db', url(big), '--repo', repo, '--encrypt-to', recipient],
          ]);
          return run(cmd!, args, { ...env, ...extra });
        };
        const pair = join(work, 'repo-s3-pair');
        const l = await backup(pair);
        rmSync(pair, { recursive: true });
        const emulatorBefore = cpuSeconds(s3.pid);
        const r = await backup(`s3://${s3.bucket}/bench${round}`, s3.env);
        const emulator = cpuSeconds(s3.pid) - emulatorBefore;
        local.push(l);
        remote.push(r);
        process.stderr.write(
          `  S3 round ${round}: local ${l.seconds.toFixed(1)} s (CPU ${l.cpu.toFixed(1)} s) ${(l.rssKiB / 1024).toFixed(0)} MiB, S3 ${r.seconds.toFixed(1)} s (CPU ${r.cpu.toFixed(1)} s, the emulator's ${emulator.toFixed(1)} s) ${(r.rssKiB / 1024).toFixed(0)} MiB\n`,
        );
      }
      const ratio = median(remote.map((r, i) => r.seconds / local[i]!.seconds));
      const where = pin ? ', pgdr on CPU 0, emulator on CPU 1' : '';
      const mid = (xs: Measured[]) => ({
        seconds: median(xs.map((x) => x.seconds)),
        rssKiB: Math.max(...xs.map((x) => x.rssKiB)),
      });
      add(`pgdr backup --encrypt-to, local (median of ${local.length}${where})`, mid(local), 0, seeds.seconds);
      add(
        `pgdr backup --encrypt-to to the S3 emulator (median; ${ratio.toFixed(2)}× local, paired${where})`,
        mid(remote),
        0,
        seeds.seconds,
      );
    } finally {
      await s3.stop();
    }
  }
  if (small) {
    const smallRun = await run(
      process.execPath,
      [cli, 'backup', '--db', url(small), '--repo', local, '--encrypt-to', recipient],
      { ...env, ...libpqEnv(small) },
    );
    add(
      `pgdr backup --encrypt-to, database ${Math.round((await dbSize(small)) / 1048576)} MiB`,
      smallRun,
      dirBytes(local),
      undefined,
    );
  }
  process.stdout.write(
    `\ndatabase: ${((await dbSize(big)) / 1048576).toFixed(0)} MiB (pg_database_size), ${process.platform} ${process.version}\n\n`,
  );
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.length), ['what', 'wall', 'vs seeds', 'artifact', 'peak RSS'][i]!.length),
  );
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  process.stdout.write(
    [
      line(['what', 'wall', 'vs seeds', 'artifact', 'peak RSS']),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
    ].join('\n') + '\n',
  );
} finally {
  if (!values.keep) {
    await cluster?.destroy();
    rmSync(work, { recursive: true, force: true });
  } else process.stderr.write(`kept: ${cluster?.url.replace(/:[^:@]*@/, ':***@')} ${work}\n`);
}
