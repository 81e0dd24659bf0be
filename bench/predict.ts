/**
 * bench/predict: how close `pgdr restore`'s prediction comes. A realistic database (bench/lib/realistic-db.ts) is
 * backed up once, then restored into new databases: the first restores build the repository's history (`--history`,
 * 3 by default; the first of them is predicted by the first guess), then each of the `--checks` restores that follow
 * is predicted from the history before it (the most similar past restores, at most five). Prints, for each check,
 * each phase's predicted and actual duration and the error, and the worst error per phase over the checks.
 *   node --import tsx bench/predict.ts [--mb 450] [--history 3] [--checks 3] [--jobs N] [--server postgres://…/postgres]
 * The goal (issue 15): each phase within ±25 %, the total within ±15 %.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../src/sandbox/local-cluster.js';
import { withClient } from '../src/pg/client.js';
import { libpqEnv, parseTarget, withDatabase, type DbTarget } from '../src/pg/connection.js';
import { formatDuration } from '../src/core/duration.js';
import { PHASE_TITLES, RESTORE_PHASES, type PhaseDurations } from '../src/restore/restore-phases.js';
import type { RestoreResult } from '../src/restore/index.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { buildCli, median } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '450' },
    history: { type: 'string', default: '3' },
    checks: { type: 'string', default: '3' },
    jobs: { type: 'string' },
    server: { type: 'string' },
  },
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err.slice(-2000)))));
  });
}

const given = values.server ? parseTarget(values.server, '--server') : undefined;
const cluster = given ? undefined : await startLocalCluster({});
const on = (db: string): DbTarget => (given ? withDatabase(given, db) : cluster!.target(db));
const urlOf = (t: DbTarget) => `postgres://${t.user}@${t.host}:${t.port}/${t.database}`;
const work = mkdtempSync(join(tmpdir(), 'pgdr-bench-predict-'));
const repo = join(work, 'repo');
try {
  const server = on('postgres');
  await withClient(server, async (c) => {
    await c.query('drop database if exists predict_src with (force)');
    await c.query('create database predict_src');
  });
  process.stderr.write(`creating a ${values.mb} MB realistic database…\n`);
  await createRealisticDb(on('predict_src'), Number(values.mb), (m) => process.stderr.write(m + '\n'));
  const cli = await buildCli();
  const env = { ...process.env, ...libpqEnv(server), NO_COLOR: '1' };
  await run([cli, 'backup', '--db', urlOf(on('predict_src')), '--repo', repo], env);
  const restore = async (i: number): Promise<RestoreResult> => {
    const db = `predict_${i}`;
    await withClient(server, (c) => c.query(`drop database if exists ${db} with (force)`));
    await withClient(server, (c) => c.query('checkpoint'));
    const jobs = values.jobs ? ['--jobs', values.jobs] : [];
    const out = await run(
      [cli, 'restore', 'latest', '--repo', repo, '--db', urlOf(server), '--new-db', db, '--json', ...jobs],
      env,
    );
    await withClient(server, (c) => c.query(`drop database if exists ${db} with (force)`));
    return JSON.parse(out) as RestoreResult;
  };

  const history = Number(values.history);
  const rows: { i: number; runs: number; predicted: PhaseDurations; actual: PhaseDurations; total: number[] }[] = [];
  for (let i = 1; i <= history + Number(values.checks); i++) {
    const r = await restore(i);
    if (!r.prediction || !r.timing) throw new Error(`restore ${i}: no prediction or timing in its result`);
    rows.push({
      i,
      runs: r.prediction.runs,
      predicted: r.prediction.phases,
      actual: r.timing.phases,
      total: [r.prediction.totalMs, r.timing.totalMs],
    });
    process.stderr.write(
      `  restore ${i}: predicted ${formatDuration(r.prediction.totalMs)} (${r.prediction.runs} past), took ${formatDuration(r.timing.totalMs)}\n`,
    );
  }

  const error = (p: number, a: number) => (a > 0 ? ((p - a) / a) * 100 : 0);
  const pct = (e: number) => `${e >= 0 ? '+' : ''}${e.toFixed(0)} %`;
  const mb = await withClient(on('predict_src'), async (c) =>
    Math.round(Number((await c.query('select pg_database_size(current_database()) n')).rows[0].n) / 1048576),
  );
  process.stdout.write(
    `\nPrediction of pgdr restore of a ${mb} MiB realistic database, ${os.availableParallelism()} cores; ${history} restores of history, then ${values.checks} checks\n`,
  );
  const header = `${'restore'.padEnd(10)} ${'basis'.padEnd(8)} ${RESTORE_PHASES.map((p) => p.padEnd(22)).join(' ')} total`;
  process.stdout.write(`${header}\n(each cell: predicted / actual, error)\n`);
  for (const row of rows) {
    const cells = RESTORE_PHASES.map((p) =>
      `${formatDuration(row.predicted[p])} / ${formatDuration(row.actual[p])} ${pct(error(row.predicted[p], row.actual[p]))}`.padEnd(
        22,
      ),
    );
    const [p, a] = row.total;
    process.stdout.write(
      `${`#${row.i}`.padEnd(10)} ${(row.runs ? `${row.runs} past` : 'guess').padEnd(8)} ${cells.join(' ')} ${formatDuration(p!)} / ${formatDuration(a!)} ${pct(error(p!, a!))}\n`,
    );
  }
  const checks = rows.filter((r) => r.i > history);
  // The floor no prediction gets under: the same restore of the same archive, run after run, on this machine.
  const spread = (actuals: number[]) => {
    const m = median(actuals);
    return Math.max(...actuals.map((a) => Math.abs(a - m) / m)) * 100;
  };
  process.stdout.write(
    `\nover the ${checks.length} checks (goal: phases ±25 %, total ±15 %): worst error | median error | the actual's own spread around its median\n`,
  );
  const line = (title: string, pairs: [number, number][], share?: number) => {
    const errors = pairs.map(([p, a]) => Math.abs(error(p, a)));
    process.stdout.write(
      `  ${title.padEnd(40)} ${Math.max(...errors)
        .toFixed(0)
        .padStart(
          4,
        )} % | ${median(errors).toFixed(0).padStart(4)} % | ±${spread(pairs.map(([, a]) => a)).toFixed(0)} %${share === undefined ? '' : `  (${(share * 100).toFixed(0)} % of the time)`}\n`,
    );
  };
  for (const p of RESTORE_PHASES) {
    const share = checks.reduce((s, r) => s + r.actual[p], 0) / checks.reduce((s, r) => s + r.total[1]!, 0);
    line(
      PHASE_TITLES[p],
      checks.map((r) => [r.predicted[p], r.actual[p]]),
      share,
    );
  }
  line(
    'total',
    checks.map((r) => [r.total[0]!, r.total[1]!]),
  );
} finally {
  await cluster?.destroy();
  rmSync(work, { recursive: true, force: true });
}
