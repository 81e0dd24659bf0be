/**
 * bench/restore: `pgdr restore` against the seeds' way (`gunzip -c f.sql.gz | psql`) and a hand-tuned
 * `pg_restore -j2` of the same zstd artifact, on two shapes of database: the realistic one bench/backup uses (26
 * tables) and one whose data sits nearly all in two tables (bench/lib/big-tables-db.ts). The way `newcluster` is
 * `pgdr restore --new-cluster DIR`: initdb, the load with durability off, sync, restart, count (each round's cluster
 * is stopped and removed before the next; the last is compared with the source).
 *   node --import tsx bench/restore.ts [--mb 450] [--shape both|realistic|big-tables] [--runs 5]
 *        [--ways seeds,tuned,tuned-analyze,pgdr,pgdr1,newcluster] [--server postgres://…/postgres] [--keep] [--durable]
 * Without --server a throwaway cluster is made, with fsync off unless --durable (--keep leaves it running and prints
 * its URL); on a --server the shapes' sources are the databases `big` and `bigtables`, made when missing, and restores
 * go to new databases there.
 * Each way runs --runs times, the ways interleaved (a checkpoint before each), so a noisy neighbour or a checkpoint
 * falls on all of them; prints each way's median wall time (and range), its ratio to the seeds' way and to the
 * hand-tuned restore (the median of the rounds' ratios, and the ratio of medians), whether every table's contents
 * are identical, and where pgdr's time went in its median round (from the moments its log lines appeared).
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { freePort, startLocalCluster } from '../src/sandbox/local-cluster.js';
import { asServerUser } from '../src/pg/server-user.js';
import { runProcess } from '../src/core/system.js';
import { withClient } from '../src/pg/client.js';
import { libpqEnv, parseTarget, withDatabase, type DbTarget } from '../src/pg/connection.js';
import { findTool } from '../src/pg/tools.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { createBigTablesDb } from './lib/big-tables-db.js';
import { buildCli, median } from './lib/measure.js';
import { tableFingerprints } from '../test/helpers/compare.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '450' },
    shape: { type: 'string', default: 'both' },
    server: { type: 'string' },
    runs: { type: 'string', default: '5' },
    ways: { type: 'string', default: 'seeds,tuned,tuned-analyze,pgdr,pgdr1' },
    keep: { type: 'boolean' },
    durable: { type: 'boolean' },
  },
});

interface Run {
  seconds: number;
  /** Each stderr line and when it appeared, in seconds from the start. */
  lines: { at: number; text: string }[];
}

function sh(script: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const lines: Run['lines'] = [];
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      for (const text of c.split(/[\n\r]/).filter((l) => l.trim())) lines.push({ at: since(), text });
    });
    child.on('close', (code) =>
      code === 0 ? resolve({ seconds: since(), lines }) : reject(new Error(`${script}\n${err.slice(-2000)}`)),
    );
  });
}

const shapes = values.shape === 'both' ? ['realistic', 'big-tables'] : [values.shape!];
const wanted = new Set(values.ways!.split(','));
const given = values.server ? parseTarget(values.server, '--server') : undefined;
// The throwaway cluster runs with fsync, full-page writes and synchronous commit off unless --durable (as a real server).
const cluster = given ? undefined : await startLocalCluster({ durable: values.durable });
const on = (db: string) => (given ? withDatabase(given, db) : cluster!.target(db));
const work = mkdtempSync(join(tmpdir(), 'pgdr-bench-restore-'));
// The new clusters' server runs as the postgres OS user when root: it must reach their directory.
chmodSync(work, 0o755);
const newClusters: string[] = [];
/** Stops and removes a new cluster a `newcluster` round made. */
async function dropNewCluster(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const pgCtl = (await findTool('pg_ctl')).path;
  const [cmd, args] = asServerUser(pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop']);
  await runProcess(cmd, args, { cwd: '/' }).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
try {
  for (const shape of shapes) await bench(shape);
} finally {
  for (const dir of newClusters) await dropNewCluster(dir);
  if (!values.keep) {
    await cluster?.destroy();
    rmSync(work, { recursive: true, force: true });
  } else if (cluster) process.stderr.write(`kept: ${cluster.url}\n`);
}

async function bench(shape: string): Promise<void> {
  const sourceDb = shape === 'realistic' ? 'big' : 'bigtables';
  const source = on(sourceDb);
  const server = on('postgres');
  const create = async (name: string) =>
    withClient(server, async (c) => {
      await c.query(`drop database if exists ${name} with (force)`);
      await c.query(`create database ${name}`);
    });
  // A source is whole once it carries this comment (a bench stopped while making it leaves one without).
  const mark = `pgdr bench source, ${shape}`;
  const exists = await withClient(server, async (c) =>
    Boolean(
      (
        await c.query(`select 1 from pg_database where datname = $1 and shobj_description(oid, 'pg_database') = $2`, [
          sourceDb,
          mark,
        ])
      ).rowCount,
    ),
  );
  if (!exists) {
    await create(sourceDb);
    process.stderr.write(`creating a ${values.mb} MB database of the ${shape} shape…\n`);
    const make = shape === 'realistic' ? createRealisticDb : createBigTablesDb;
    await make(source, Number(values.mb), (m) => process.stderr.write(m + '\n'));
    await withClient(server, (c) => c.query(`comment on database ${sourceDb} is '${mark}'`));
  }
  const binDir = cluster?.binDir ?? (await findTool('pg_restore', 15)).path.replace(/\/pg_restore$/, '');
  const urlOf = (t: DbTarget) => `postgres://${t.user}@${t.host}:${t.port}/${t.database}`;
  const env = (db: string) => ({ ...libpqEnv(on(db)), PATH: `${binDir}:${process.env.PATH}` });
  const cli = await buildCli();
  const dir = join(work, shape);
  const repo = join(dir, 'repo');
  process.stderr.write(`${shape}: artifacts: seeds' pg_dump | gzip, and pgdr backup…\n`);
  await sh(`mkdir -p ${dir} && pg_dump --no-owner | gzip > ${dir}/seed.sql.gz`, env(source.database));
  await sh(`node ${cli} backup --db "$URL" --repo ${repo}`, { ...env(source.database), URL: urlOf(source) });

  const newClusterPort = await freePort();
  newClusters.push(join(dir, 'new-cluster'));
  // The new cluster's own database, through its Unix socket (peer: the bench runs as root or the server user).
  const newClusterTarget: DbTarget = {
    host: join(dir, 'new-cluster'),
    port: newClusterPort,
    user: 'postgres',
    database: sourceDb,
    source: 'bench',
    display: 'new cluster',
  };
  const handTuned = (db: string) =>
    `zstd -q -d -c ${repo}/backups/*/data.dump.zst > ${dir}/${db}.dump && PGOPTIONS='-c maintenance_work_mem=512MB -c synchronous_commit=off' pg_restore -j2 --no-owner -d ${db} ${dir}/${db}.dump && rm ${dir}/${db}.dump`;
  const all: { key: string; name: string; db: string; script: string; pre: boolean }[] = [
    {
      key: 'seeds',
      name: 'seeds: gunzip -c f.sql.gz | psql',
      db: 'r_seed',
      script: `gunzip -c ${dir}/seed.sql.gz | psql -X -q -v ON_ERROR_STOP=1 -d r_seed`,
      pre: true,
    },
    {
      key: 'tuned',
      name: 'hand-tuned: zstd -d + pg_restore -j2',
      db: 'r_tuned',
      script: handTuned('r_tuned'),
      pre: true,
    },
    // pg_restore's documentation: "Once restored, it is wise to run ANALYZE on each restored table". pgdr does, so this
    // is the like-for-like hand-made restore; the line above is the bare minimum.
    {
      key: 'tuned-analyze',
      name: 'hand-tuned, then ANALYZE (vacuumdb -Z -j2)',
      db: 'r_tuneda',
      script: `${handTuned('r_tuneda')} && vacuumdb -q --analyze-only -j2 -d r_tuneda`,
      pre: true,
    },
    {
      key: 'pgdr',
      name: 'pgdr restore (default)',
      db: 'r_pgdr',
      script: `node ${cli} restore latest --repo ${repo} --db "$URL" --new-db r_pgdr`,
      pre: false,
    },
    {
      key: 'pgdr1',
      name: 'pgdr restore --jobs 1 (streamed)',
      db: 'r_pgdr1',
      script: `node ${cli} restore latest --repo ${repo} --db "$URL" --new-db r_pgdr1 --jobs 1`,
      pre: false,
    },
    {
      key: 'newcluster',
      name: 'pgdr restore --new-cluster DIR',
      db: sourceDb,
      script: `node ${cli} restore latest --repo ${repo} --new-cluster ${dir}/new-cluster --port ${newClusterPort}`,
      pre: false,
    },
  ];
  const ways = all.filter((w) => w.key === 'seeds' || wanted.has(w.key));
  const runs = new Map(ways.map((w) => [w.name, [] as Run[]]));
  for (let round = 1; round <= Number(values.runs); round++) {
    for (const way of ways) {
      if (way.key === 'newcluster') await dropNewCluster(join(dir, 'new-cluster'));
      else if (way.pre) await create(way.db);
      else await withClient(server, (c) => c.query(`drop database if exists ${way.db} with (force)`));
      await withClient(server, (c) => c.query('checkpoint'));
      await sh('sync; true', env('postgres'));
      const run = await sh(way.script, { ...env(way.db), URL: urlOf(on('postgres')) });
      runs.get(way.name)!.push(run);
      process.stderr.write(`  ${shape} round ${round}: ${way.name}: ${run.seconds.toFixed(1)} s\n`);
    }
  }

  const expected = await tableFingerprints(source);
  const seconds = (way: { name: string }) => runs.get(way.name)!.map((r) => r.seconds);
  const seedRuns = seconds(ways[0]!);
  const tunedRuns = ways.some((w) => w.key === 'tuned') ? seconds(all[1]!) : undefined;
  // Paired: each way against the seeds' (and hand-tuned) run of the same round, which ran minutes apart at most, so
  // the machine's drift cancels out; the ratio of medians is printed too.
  const paired = (mine: number[], base: number[]) => median(mine.map((t, i) => t / base[i]!)).toFixed(2);
  const worst = (mine: number[], base: number[]) => Math.max(...mine.map((t, i) => t / base[i]!)).toFixed(2);
  const { mb, big } = await withClient(source, async (c) => {
    const one = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
    return {
      mb: Math.round((await one('select pg_database_size(current_database()) n')) / 1048576),
      // The share of the two largest tables (with their indexes and TOAST) in the whole database.
      big: await one(`select round(100 * (select sum(s) from (select pg_total_relation_size(c.oid) s from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and n.nspname = 'public' order by 1 desc limit 2) t)
        / pg_database_size(current_database())) n`),
    };
  });
  process.stdout.write(
    `\n${shape}: restore of a ${mb} MiB database (${Object.keys(expected).length} tables, the two largest ${big} % of it), ${os.availableParallelism()} cores, ${values.runs} interleaved rounds\n`,
  );
  process.stdout.write(
    `${'way'.padEnd(44)} ${'median (range)'.padStart(20)}  ${'paired ratio (worst)'.padEnd(34)}  ratio of medians\n`,
  );
  for (const way of ways) {
    const mine = seconds(way);
    const m = median(mine);
    const restoredTo = way.key === 'newcluster' ? newClusterTarget : on(way.db);
    const same = JSON.stringify(await tableFingerprints(restoredTo)) === JSON.stringify(expected);
    const range = `${m.toFixed(1)} s (${Math.min(...mine).toFixed(1)}–${Math.max(...mine).toFixed(1)})`;
    const pairs = `${paired(mine, seedRuns)}× seeds (${worst(mine, seedRuns)})${tunedRuns ? ` ${paired(mine, tunedRuns)}× tuned` : ''}`;
    process.stdout.write(
      `${way.name.padEnd(44)} ${range.padStart(20)}  ${pairs.padEnd(34)}  ${(m / median(seedRuns)).toFixed(2)}× seeds  ${same ? 'identical' : 'DIFFERENT'}\n`,
    );
  }
  for (const way of ways.filter((w) => !w.pre)) {
    const all = runs.get(way.name)!;
    const m = median(all.map((x) => x.seconds));
    const middle = [...all].sort((a, b) => Math.abs(a.seconds - m) - Math.abs(b.seconds - m))[0]!;
    process.stdout.write(
      `\n${way.name}, its median round (${middle.seconds.toFixed(2)} s), when each line appeared:\n`,
    );
    for (const line of middle.lines)
      process.stdout.write(`  ${line.at.toFixed(2).padStart(6)} s  ${line.text.slice(0, 110)}\n`);
  }
}
