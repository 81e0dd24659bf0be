import { readJournal } from '../../src/runbook/journal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase, databaseNames } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { pgdrCommand } from '../helpers/cli.js';
import { killTree } from '../helpers/processes.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { backupRestoreRunbook } from './backup-restore-runbook.js';

let cluster: LocalCluster;
const checked = (what: string) => process.stdout.write(`  fault suite ✔ ${what}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RUNBOOK = backupRestoreRunbook('restore-crash');

/** pgdr with the cluster's password in PGPASSWORD, as an operator's shell has it: the URLs carry none. */
function pgdr(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [...pgdrCommand(), ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', PGPASSWORD: cluster.password },
  });
}

const urlOf = (database: string) => cluster.urlFor(database).replace(`:${cluster.password}@`, '@');

function exited(child: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const journalOf = (runsDir: string, id: string) =>
  readFileSync(join(runsDir, id, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function runStarted(runsDir: string, stepId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const id = existsSync(runsDir) ? readdirSync(runsDir)[0] : undefined;
    // While the run writes, the journal may be empty or end mid-line: readJournal reads what is complete.
    if (
      id &&
      existsSync(join(runsDir, id, 'journal.jsonl')) &&
      readJournal(join(runsDir, id)).some((r) => r.type === 'step.started' && r.stepId === stepId)
    )
      return id;
    await sleep(50);
  }
  throw new Error(`step ${stepId} never started`);
}

async function copyRunningOn(database: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const n = await psql(
      cluster,
      'postgres',
      `select count(*) from pg_stat_activity where datname = '${database}' and query ilike 'copy%' and state = 'active'`,
    );
    if (n.trim() !== '0') return;
    await sleep(25);
  }
  throw new Error(`no COPY ever ran on ${database}`);
}

const databases = () => databaseNames(cluster);

describe('fault suite: a runbook run with a backup and a restore step', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    await psql(
      cluster,
      'app',
      `create table events (id bigint primary key, note text);
      insert into events select g, repeat(md5(g::text), 4) from generate_series(1, 300000) g;`,
    );
  });

  it.each([
    ['SIGKILL', 'take'],
    ['SIGKILL', 'restore'],
    ['SIGHUP', 'restore'],
  ] as const)('%s during step %s: the journal stays whole and --resume finishes the run', async (signal, stepId) => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-run-fault-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const runsDir = join(dir, 'runs');
    const scratch = `scratch_${signal.toLowerCase()}_${stepId}`;
    const before = await tableFingerprints(cluster.target('app'));
    const args = ['--plain', '--yes', '--runs-dir', runsDir];
    const first = pgdr(
      ['drill', 'rb.yaml', '--db', urlOf('app'), '--scratch', urlOf(scratch), '--repo', join(dir, 'repo'), ...args],
      dir,
    );
    const firstExit = exited(first);
    const runId = await runStarted(runsDir, stepId);
    // Into the middle of pg_dump (COPY out of app) or pg_restore (COPY into the scratch database).
    await copyRunningOn(stepId === 'take' ? 'app' : scratch);
    if (signal === 'SIGKILL') killTree(first.pid!);
    else first.kill('SIGHUP');
    const killed = await firstExit;
    expect(killed.code, killed.out).not.toBe(0);
    const records = journalOf(runsDir, runId);
    expect(records[0]).toMatchObject({ type: 'run.meta', runId });
    if (signal === 'SIGHUP') {
      expect(killed.code, killed.out).toBe(129);
      expect(records.find((r) => r.type === 'run.suspended')).toMatchObject({ reason: 'SIGHUP', stepId });
    }
    // Killed, the step has no end; suspended, it ends 'aborted' once its action has stopped (and starts over on resume).
    const end = records.find((r) => r.type === 'step.finished' && r.stepId === stepId);
    if (signal === 'SIGKILL') expect(end).toBeUndefined();
    else expect(end).toMatchObject({ status: 'aborted', cancelled: 'suspend' });

    // Nothing typed again: targets and repository come from the journal, the password from the environment.
    const resumed = await exited(pgdr(['run', '--resume', runId, ...args], dir));
    expect(resumed.code, resumed.out).toBe(0);
    const report = JSON.parse(readFileSync(join(runsDir, runId, 'report.json'), 'utf8'));
    expect(report.status).toBe('passed');
    const finished = journalOf(runsDir, runId)
      .filter((r) => r.type === 'step.finished' && r.status === 'succeeded' && r.phaseId !== 'preflight')
      .map((r) => r.stepId);
    expect(finished).toEqual(['take', 'pick', 'restore', 'rows']);
    // The drill's scratch database is dropped at the end; the source was never written.
    expect(await databases()).not.toContain(scratch);
    expect(await tableFingerprints(cluster.target('app'))).toEqual(before);
    checked(
      `${signal} of pgdr run during ${stepId === 'take' ? 'backup.take (pg_dump)' : 'restore.run (pg_restore)'}: journal whole, --resume passed, scratch dropped, source untouched`,
    );
  });

  it('a drill suspended after its restore still drops the scratch database when the resumed run ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-run-fault-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'rb.yaml'), backupRestoreRunbook('restore-then-pause', { pauseAfterRestore: true }));
    const runsDir = join(dir, 'runs');
    const scratch = 'scratch_after_restore';
    const targets = [
      '--db',
      urlOf('app'),
      '--scratch',
      urlOf(scratch),
      '--repo',
      join(dir, 'repo'),
      '--plain',
      '--yes',
      '--runs-dir',
      runsDir,
    ];
    const first = pgdr(['drill', 'rb.yaml', ...targets], dir);
    const firstExit = exited(first);
    const runId = await runStarted(runsDir, 'pause');
    expect(await databases()).toContain(scratch);
    first.kill('SIGHUP');
    expect((await firstExit).code).toBe(129);
    // The process that created the scratch database is gone, and with it the cleanup it had set up.
    expect(await databases()).toContain(scratch);

    const resumed = await exited(pgdr(['run', '--resume', runId, ...targets], dir));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain(`Cleanup: scratch database ${scratch} dropped.`);
    expect(await databases()).not.toContain(scratch);
    checked(
      'SIGHUP of a drill after its restore: --resume finished it and dropped the scratch database the first process made',
    );
  });
});
