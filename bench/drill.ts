/**
 * bench/drill: the whole incident against the clock. The complete-loss runbook run end to end by `pgdr drill`, every
 * question answered by flags (--yes, --input), so no human time is counted, beside the bare restore of the same
 * backup, on three paths:
 *   logical      restore.run of the latest verified logical backup into a new database (the drill's scratch);
 *   new-cluster  the same into a cluster pgdr creates (`pgdr restore --new-cluster`): skipped, with a message, while
 *                `pgdr restore --help` does not list the flag or the runbook has no input for it;
 *   pgbackrest   `pgdr pitr setup`, a physical full backup, then the runbook's physical step (the newest backup and
 *                every archived WAL segment into a new data directory).
 *   node --import tsx bench/drill.ts [--mb 800] [--runs 3] [--paths logical,new-cluster,pgbackrest] [--keep]
 * For each path in turn, each round runs the runbook and the bare restore one after the other (which goes first
 * alternates by round), a checkpoint before each; prints per path the runbook's RTO (from its report.json: the run's own clock,
 * with each phase's and the restore step's share), the pgdr process's wall time, the bare restore's wall time and
 * their paired ratio (the median over the rounds, the worst round in brackets).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { clusterParentDir, freePort, startLocalCluster } from '../src/sandbox/local-cluster.js';
import { withClient } from '../src/pg/client.js';
import { libpqEnv } from '../src/pg/connection.js';
import { asServerUser, handToServerUser } from '../src/pg/server-user.js';
import { createRealisticDb } from './lib/realistic-db.js';
import { buildCli, median } from './lib/measure.js';
import { archiveSettings } from '../test/helpers/pgbackrest.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '800' },
    runs: { type: 'string', default: '3' },
    paths: { type: 'string', default: 'logical,new-cluster,pgbackrest' },
    keep: { type: 'boolean' },
  },
});
const wanted = new Set(values.paths!.split(','));
const rounds = Number(values.runs);

interface Timed {
  seconds: number;
  out: string;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
      resolve({ seconds, out });
    });
  });
}

/** What the run's own report says: the RTO clock, each phase and the restore step. */
interface RunbookFigures {
  wall: number;
  rto: number;
  phases: { id: string; seconds: number; machine: number }[];
  steps: { id: string; seconds: number }[];
  /** From the last step's end to the run's: the drill's teardown (its scratch database dropped), inside the RTO. */
  teardown: number;
}

function readReport(runsDir: string): Omit<RunbookFigures, 'wall'> {
  const runs = readdirSync(runsDir).filter((d) => existsSync(join(runsDir, d, 'report.json')));
  if (runs.length !== 1) throw new Error(`expected one run with a report in ${runsDir}, found ${runs.length}`);
  const report = JSON.parse(readFileSync(join(runsDir, runs[0]!, 'report.json'), 'utf8')) as {
    passed: boolean;
    rto: { actualMs: number };
    phases: {
      id: string;
      durationMs: number;
      humanMs: number;
      steps: { id: string; offsetMs: number; durationMs: number; status: string }[];
    }[];
  };
  if (!report.passed) throw new Error(`the run in ${runsDir} did not pass`);
  const lastStepEnd = Math.max(...report.phases.flatMap((p) => p.steps.map((s) => s.offsetMs + s.durationMs)));
  return {
    teardown: (report.rto.actualMs - lastStepEnd) / 1000,
    rto: report.rto.actualMs / 1000,
    phases: report.phases.map((p) => ({
      id: p.id,
      seconds: p.durationMs / 1000,
      machine: (p.durationMs - p.humanMs) / 1000,
    })),
    steps: report.phases.flatMap((p) =>
      p.steps.filter((s) => s.status !== 'skipped').map((s) => ({ id: s.id, seconds: s.durationMs / 1000 })),
    ),
  };
}

interface Path {
  key: string;
  title: string;
  /** The runbook's run: its arguments after `pgdr drill complete-loss`, and how to clear what it left. */
  runbook: (round: number) => Promise<{ args: string[]; after: () => Promise<void> }>;
  bare: (round: number) => Promise<{ args: string[]; after: () => Promise<void> }>;
  env?: NodeJS.ProcessEnv;
  /** What the path needs before its first round. */
  setup?: () => Promise<void>;
}

const cluster = await startLocalCluster({
  // Archiving on from the start (wal_level replica, as a server with pgBackRest runs), the command a no-op until
  // `pgdr pitr setup` points it at pgBackRest: the logical paths run first and their WAL is not archived.
  settings: { archive_mode: 'on', archive_command: "'/bin/true'", wal_level: 'replica' },
});
const work = mkdtempSync(join(clusterParentDir(), 'pgdr-bench-drill-'));
handToServerUser(work);
// --new-cluster wants the new data directory's parent open to every user (the server runs as postgres).
chmodSync(work, 0o755);
const stopServer = async (dataDir: string) => {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  const [c, a] = asServerUser(join(cluster.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  await sh(c, a, process.env).catch(() => {});
};
try {
  const cli = await buildCli();
  await withClient(cluster.target(), (c) => c.query('create database big'));
  const made = Date.now();
  process.stderr.write(`creating a realistic ${values.mb} MB database…\n`);
  await createRealisticDb(cluster.target('big'), Number(values.mb), (m) => process.stderr.write(m + '\n'));
  process.stderr.write(`  done in ${((Date.now() - made) / 1000).toFixed(0)} s\n`);
  const url = (db: string, port = cluster.port) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const env = {
    ...process.env,
    ...libpqEnv(cluster.target('postgres')),
    PATH: `${cluster.binDir}:${process.env.PATH}`,
    NO_COLOR: '1',
    PGDR_HOME: join(work, 'home'),
  };
  const repo = join(work, 'repo');
  process.stderr.write('pgdr backup (logical)…\n');
  await sh(process.execPath, [cli, 'backup', '--db', url('big'), '--repo', repo, '--no-encrypt'], env);
  const drill = (runsDir: string, extra: string[]) => [
    cli,
    ...['drill', 'complete-loss', '--db', url('big'), '--repo', repo, '--runs-dir', runsDir],
    ...['--operator', 'bench', '--yes', '--plain', ...extra],
  ];
  const dropDb = (db: string) =>
    withClient(cluster.target(), (c) => c.query(`drop database if exists ${db} with (force)`)).then(() => {});
  const runsDirFor = (path: string, round: number) => {
    const dir = join(work, 'runs', `${path}-${round}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const paths: Path[] = [];
  if (wanted.has('logical'))
    paths.push({
      key: 'logical',
      title: 'logical, into a new database',
      runbook: async (round) => ({
        args: drill(runsDirFor('logical', round), ['--scratch', url('r_drill')]),
        after: () => dropDb('r_drill'),
      }),
      bare: async () => ({
        args: [cli, 'restore', 'latest', '--repo', repo, '--db', url('postgres'), '--new-db', 'r_bare'],
        after: () => dropDb('r_bare'),
      }),
    });
  if (wanted.has('new-cluster')) {
    const help = (await sh(process.execPath, [cli, 'restore', '--help'], env)).out;
    const input = /name: (\w*cluster\w*)/.exec(readFileSync('runbooks/complete-loss.yaml', 'utf8'))?.[1];
    if (!help.includes('--new-cluster') || !input)
      process.stderr.write(
        `new-cluster: skipped: ${!help.includes('--new-cluster') ? '`pgdr restore --help` does not list --new-cluster' : 'runbooks/complete-loss.yaml has no input for a new cluster'} in this build.\n`,
      );
    else {
      const dir = (what: string, round: number) => join(work, `cluster-${what}-${round}`);
      paths.push({
        key: 'new-cluster',
        title: 'logical, --new-cluster',
        runbook: async (round) => {
          const port = await freePort();
          return {
            args: drill(runsDirFor('new-cluster', round), [
              ...['--scratch', url('big', port), '--input', `${input}=${dir('runbook', round)}`],
            ]),
            after: async () => {
              await stopServer(dir('runbook', round));
              rmSync(dir('runbook', round), { recursive: true, force: true });
            },
          };
        },
        bare: async (round) => ({
          args: [
            ...[cli, 'restore', 'latest', '--repo', repo, '--new-cluster', dir('bare', round)],
            ...['--port', String(await freePort())],
          ],
          after: async () => {
            await stopServer(dir('bare', round));
            rmSync(dir('bare', round), { recursive: true, force: true });
          },
        }),
      });
    }
  }
  if (wanted.has('pgbackrest')) {
    const stanza = 'bench';
    const base = join(work, 'pgbackrest');
    mkdirSync(base);
    handToServerUser(base);
    const config = join(base, 'pgbackrest.conf');
    const dir = (what: string, round: number) => join(work, `pgbackrest-${what}-${round}`);
    const clear = (d: string) => async () => {
      await stopServer(d);
      rmSync(d, { recursive: true, force: true });
    };
    paths.push({
      key: 'pgbackrest',
      title: 'pgBackRest physical, to the last archived transaction',
      env: { PGBACKREST_CONFIG: config },
      // After the logical paths: from here on the cluster's WAL is archived, and a physical restore replays it all.
      setup: async () => {
        const archiving = archiveSettings(stanza, config);
        process.stderr.write('pgdr pitr setup --write, pgdr backup full --pgbackrest-stanza…\n');
        await sh(
          process.execPath,
          [
            ...[cli, 'pitr', 'setup', '--write', '--stanza', stanza, '--data-dir', cluster.dataDir],
            ...['--repo-path', join(base, 'repo'), '--port', String(cluster.port), '--socket-dir', cluster.baseDir],
            ...['--pgbackrest-config', config],
          ],
          env,
        );
        const settings = await withClient(cluster.target(), async (c) => (await c.query('show archive_command')).rows);
        if (!JSON.stringify(settings).includes('archive-push'))
          throw new Error(
            `pitr setup left archive_command as ${JSON.stringify(settings)}, not ${archiving.archive_command}`,
          );
        const full = await sh(
          process.execPath,
          [cli, 'backup', 'full', '--pgbackrest-stanza', stanza, '--pgbackrest-config', config],
          env,
        );
        process.stderr.write(`  physical full backup: ${full.seconds.toFixed(1)} s\n`);
        // A last transaction after the backup, archived, so the replay has WAL to apply.
        await withClient(cluster.target('big'), (c) =>
          c.query('create table after_backup as select 1 as id; select pg_switch_wal()'),
        );
      },
      runbook: async (round) => ({
        args: drill(runsDirFor('pgbackrest', round), [
          ...['--scratch', url('big', await freePort())],
          ...['--input', `pgbackrest_stanza=${stanza}`, '--input', `data_dir=${dir('runbook', round)}`],
        ]),
        after: clear(dir('runbook', round)),
      }),
      bare: async (round) => ({
        args: [
          ...[cli, 'restore', '--pitr', 'latest', '--pgbackrest-stanza', stanza, '--pgbackrest-config', config],
          ...['--data-dir', dir('bare', round), '--port', String(await freePort())],
        ],
        after: clear(dir('bare', round)),
      }),
    });
  }

  const results = new Map(paths.map((p) => [p.key, { runbook: [] as RunbookFigures[], bare: [] as number[] }]));
  // The paths one after the other (the physical one changes the cluster), the rounds of each paired.
  for (const path of paths) {
    await path.setup?.();
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? (['runbook', 'bare'] as const) : (['bare', 'runbook'] as const);
      for (const way of order) {
        await withClient(cluster.target(), (c) => c.query('checkpoint'));
        const { args, after } = await path[way](round);
        const timed = await sh(process.execPath, args, { ...env, ...path.env });
        const mine = results.get(path.key)!;
        if (way === 'bare') mine.bare.push(timed.seconds);
        else mine.runbook.push({ wall: timed.seconds, ...readReport(runsDirFor(path.key, round)) });
        process.stderr.write(
          `  round ${round}: ${path.key} ${way}: ${timed.seconds.toFixed(1)} s${way === 'runbook' ? ` (RTO ${mine.runbook.at(-1)!.rto.toFixed(1)} s)` : ''}\n`,
        );
        await after();
      }
    }
  }

  const mb = await withClient(cluster.target('big'), async (c) =>
    Math.round(
      Number((await c.query<{ n: string }>('select pg_database_size(current_database()) n')).rows[0]!.n) / 1048576,
    ),
  );
  process.stdout.write(
    `\ncomplete-loss runbook (pgdr drill --yes --input …) against the bare restore of the same backup: a ${mb} MiB database, ${os.availableParallelism()} cores, ${rounds} paired rounds, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  const s = (x: number) => `${x.toFixed(1)} s`;
  const ratio = (a: number[], b: number[]) => {
    const r = a.map((x, i) => x / b[i]!);
    return `${median(r).toFixed(2)}× (worst ${Math.max(...r).toFixed(2)}×)`;
  };
  for (const path of paths) {
    const { runbook, bare } = results.get(path.key)!;
    const rto = runbook.map((r) => r.rto);
    const wall = runbook.map((r) => r.wall);
    process.stdout.write(`\n${path.title}\n`);
    process.stdout.write(`  bare restore (wall)            ${s(median(bare))}  (${bare.map(s).join(', ')})\n`);
    process.stdout.write(
      `  runbook RTO (report.json)      ${s(median(rto))}  (${rto.map(s).join(', ')})  ${ratio(rto, bare)} bare\n`,
    );
    process.stdout.write(
      `  runbook pgdr process (wall)    ${s(median(wall))}  (${wall.map(s).join(', ')})  ${ratio(wall, bare)} bare\n`,
    );
    const outside = runbook.map((r) => r.rto - (r.steps.find((x) => x.id.startsWith('restore'))?.seconds ?? 0));
    process.stdout.write(
      `  the runbook outside its restore step ${s(median(outside))}  (${outside.map(s).join(', ')})  ${ratio(outside, bare)} bare\n`,
    );
    const teardown = runbook.map((r) => r.teardown);
    process.stdout.write(
      `    of which the drill's teardown  ${s(median(teardown))}  (${teardown.map(s).join(', ')})\n`,
    );
    const ids = runbook[0]!.phases.map((p) => p.id);
    for (const id of ids) {
      const each = runbook.map((r) => r.phases.find((p) => p.id === id)?.seconds ?? 0);
      process.stdout.write(`    phase ${id.padEnd(22)} ${s(median(each)).padStart(8)}\n`);
    }
    for (const id of runbook[0]!.steps.map((x) => x.id)) {
      const each = runbook.map((r) => r.steps.find((x) => x.id === id)?.seconds ?? 0);
      process.stdout.write(`      step ${id.padEnd(21)} ${s(median(each)).padStart(8)}\n`);
    }
  }
} finally {
  if (!values.keep) {
    await cluster.destroy();
    rmSync(work, { recursive: true, force: true });
  } else process.stderr.write(`kept: ${cluster.url} ${work}\n`);
}
