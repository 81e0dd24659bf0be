/**
 * bench/restore: `pgdr restore` against the seeds' way (`gunzip -c f.sql.gz | psql`) and a hand-tuned
 * `pg_restore -j2` of the same zstd artifact, on the realistic database bench/backup uses.
 *   node --import tsx bench/restore.ts [--mb 440] [--url postgres://…/db] [--runs 5] [--keep]
 * With --url the database there is the source (restores go to new databases on the same server).
 * Each way runs --runs times, the ways interleaved (a checkpoint before each), so a noisy neighbour or a checkpoint
 * falls on all of them; prints each way's median wall time (and range), its ratio to the seeds' way and to the
 * hand-tuned restore (the median of the rounds' ratios, and the ratio of medians), and whether every table's contents
 * are identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../src/sandbox/local-cluster.js';
import { withClient } from '../src/pg/client.js';
import { libpqEnv, parseTarget, withDatabase, type DbTarget } from '../src/pg/connection.js';
import { findTool } from '../src/pg/tools.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { buildCli, median } from './lib/measure.js';
import { tableFingerprints } from '../test/helpers/compare.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '440' },
    url: { type: 'string' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean' },
  },
});

function sh(script: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - started) / 1e9)
        : reject(new Error(`${script}\n${err.slice(-2000)}`)),
    );
  });
}

const cluster = values.url ? undefined : await startLocalCluster({});
const work = mkdtempSync(join(tmpdir(), 'pgdr-bench-restore-'));
try {
  const given = values.url ? parseTarget(values.url, '--url') : undefined;
  const source = given ?? cluster!.target('big');
  const on = (db: string) => (given ? withDatabase(given, db) : cluster!.target(db));
  const server = on('postgres');
  const create = async (name: string) =>
    withClient(server, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
      await c.query(`create database ${name}`);
    });
  if (!given) {
    await create('big');
    process.stderr.write(`creating a realistic ${values.mb} MB database…\n`);
    await createRealisticDb(source, Number(values.mb), (m) => process.stderr.write(m + '\n'));
  }
  const binDir = cluster?.binDir ?? (await findTool('pg_restore', 15)).path.replace(/\/pg_restore$/, '');
  const urlOf = (t: DbTarget) => `postgres://${t.user}@${t.host}:${t.port}/${t.database}`;
  const env = (db: string) => ({ ...libpqEnv(on(db)), PATH: `${binDir}:${process.env.PATH}` });
  const cli = await buildCli();
  const repo = join(work, 'repo');
  process.stderr.write("artifacts: seeds' pg_dump | gzip, and pgdr backup…\n");
  await sh(`pg_dump --no-owner | gzip > ${work}/seed.sql.gz`, env(source.database));
  await sh(`node ${cli} backup --db "$URL" --repo ${repo}`, { ...env(source.database), URL: urlOf(source) });

  const handTuned = (db: string) =>
    `zstd -q -d -c ${repo}/backups/*/data.dump.zst > ${work}/${db}.dump && PGOPTIONS='-c maintenance_work_mem=512MB -c synchronous_commit=off' pg_restore -j2 --no-owner -d ${db} ${work}/${db}.dump && rm ${work}/${db}.dump`;
  const ways: { name: string; db: string; script: string; pre: boolean }[] = [
    {
      name: 'seeds: gunzip -c f.sql.gz | psql',
      db: 'r_seed',
      script: `gunzip -c ${work}/seed.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -d r_seed`,
      pre: true,
    },
    { name: 'hand-tuned: zstd -d + pg_restore -j2', db: 'r_tuned', script: handTuned('r_tuned'), pre: true },
    // pg_restore's documentation: "Once restored, it is wise to run ANALYZE on each restored table". pgdr does, so this
    // is the like-for-like hand-made restore; the line above is the bare minimum.
    {
      name: 'hand-tuned, then ANALYZE (vacuumdb -Z -j2)',
      db: 'r_tuneda',
      script: `${handTuned('r_tuneda')} && vacuumdb -q --analyze-only -j2 -d r_tuneda`,
      pre: true,
    },
    {
      name: 'pgdr restore (default jobs)',
      db: 'r_pgdr',
      script: `node ${cli} restore latest --repo ${repo} --db "$URL" --new-db r_pgdr`,
      pre: false,
    },
    {
      name: 'pgdr restore --jobs 1 (streamed)',
      db: 'r_pgdr1',
      script: `node ${cli} restore latest --repo ${repo} --db "$URL" --new-db r_pgdr1 --jobs 1`,
      pre: false,
    },
  ];
  const times = new Map(ways.map((w) => [w.name, [] as number[]]));
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const way of ways) {
      if (way.pre) await create(way.db);
      else await withClient(server, (c) => c.query(`drop database if exists ${way.db} with (force)`));
      await withClient(server, (c) => c.query('checkpoint'));
      await sh('sync; true', env('postgres'));
      const seconds = await sh(way.script, { ...env(way.db), URL: urlOf(on('postgres')) });
      times.get(way.name)!.push(seconds);
      process.stderr.write(`  run ${run}: ${way.name}: ${seconds.toFixed(1)} s\n`);
    }
  }

  const expected = await tableFingerprints(source);
  const seedRuns = times.get(ways[0]!.name)!;
  const tunedRuns = times.get(ways[1]!.name)!;
  // Paired: each way against the seeds' (and hand-tuned) run of the same round, which ran minutes apart at most, so
  // the machine's drift cancels out; the ratio of medians is printed too.
  const paired = (all: number[], base: number[]) => median(all.map((t, i) => t / base[i]!)).toFixed(2);
  const mb = await withClient(source, async (c) =>
    Math.round(
      Number((await c.query<{ n: string }>('select pg_database_size(current_database()) n')).rows[0]!.n) / 1048576,
    ),
  );
  process.stdout.write(
    `\nrestore of a ${mb} MiB database (${Object.keys(expected).length} tables), ${os.availableParallelism()} cores, ${values.runs} interleaved rounds\n`,
  );
  process.stdout.write(
    `${'way'.padEnd(44)} ${'median (range)'.padStart(20)}  ${'paired ratio'.padEnd(24)}  ratio of medians\n`,
  );
  for (const way of ways) {
    const all = times.get(way.name)!;
    const m = median(all);
    const same = JSON.stringify(await tableFingerprints(on(way.db))) === JSON.stringify(expected);
    const range = `${m.toFixed(1)} s (${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)})`;
    const pairs = `${paired(all, seedRuns)}× seeds ${paired(all, tunedRuns)}× tuned`;
    process.stdout.write(
      `${way.name.padEnd(44)} ${range.padStart(20)}  ${pairs.padEnd(24)}  ${(m / median(seedRuns)).toFixed(2)}× seeds  ${same ? 'identical' : 'DIFFERENT'}\n`,
    );
  }
} finally {
  if (!values.keep) {
    await cluster?.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}
