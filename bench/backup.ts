/**
 * bench/backup: `pgdr backup` against the seeds' way (`pg_dump | gzip > f && sha256sum f`) on a realistic database.
 *   node --import tsx bench/backup.ts [--mb 800] [--url postgres://…/db --small-url postgres://…/db] [--keep]
 * Prints wall time, artifact size and pgdr's peak RSS for: the seeds' way, pgdr (checksum), pgdr + age encryption,
 * pgdr to an S3 emulator; and pgdr's peak RSS on a database a tenth of the size, to show memory does not grow with it.
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startLocalCluster, type LocalCluster } from '../src/sandbox/local-cluster.js';
import { withClient } from '../src/pg/client.js';
import { parseTarget, libpqEnv, type DbTarget } from '../src/pg/connection.js';
import { generateIdentity } from '../src/crypto/index.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { buildCli, peakRss } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '800' },
    url: { type: 'string' },
    'small-url': { type: 'string' },
    keep: { type: 'boolean' },
    s3: { type: 'boolean', default: true },
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

const dbSize = (t: DbTarget) =>
  withClient(t, async (c) =>
    Number((await c.query<{ n: string }>('select pg_database_size(current_database()) n')).rows[0]!.n),
  );
const dirBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + statSync(join(e.parentPath, e.name)).size, 0);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; rssKiB: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.slice(-2000)}`));
      resolve({ seconds, rssKiB: peakRss(err) });
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
    const { startS3 } = await import('../test/helpers/s3.js');
    const s3 = await startS3();
    try {
      const viaS3 = await run(
        process.execPath,
        [cli, 'backup', '--db', url(big), '--repo', `s3://${s3.bucket}/bench`, '--encrypt-to', recipient],
        { ...env, ...s3.env },
      );
      add(
        `pgdr backup --encrypt-to to S3 emulator (${(viaS3.seconds / encrypted.seconds).toFixed(2)}× local)`,
        viaS3,
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
