import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgdrCommand, runPgdr } from '../helpers/cli.js';
import { copyRunningInto, psql, useClusterWith } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { quote, tmuxServer, tmuxSession } from './tmux.js';

const tmux = tmuxServer('resume');
let cluster: LocalCluster;
let work: string;
let repo: string;
/** A directory holding a `pgdr` command, put on the sessions' PATH: the operator types `pgdr`, nothing else. */
let bin: string;

const url = (database: string) => `postgres://postgres@127.0.0.1:${cluster.port}/${database}`;

beforeAll(async () => {
  cluster = await useClusterWith(
    'app',
    `create table events (id bigint primary key, note text);
     insert into events select g, repeat(md5(g::text), 4) from generate_series(1, 300000) g;
     create table users (id int primary key, name text);
     insert into users select g, 'user ' || g from generate_series(1, 500) g;`,
  );
  work = mkdtempSync(join(tmpdir(), 'pgdr-e2e-resume-'));
  chmodSync(work, 0o755);
  repo = join(work, 'repo');
  const env = { PGPASSWORD: cluster.password };
  expect((await runPgdr(['backup', 'full', '--db', url('app'), '--repo', repo], { env })).code).toBe(0);
  expect((await runPgdr(['backup', 'verify', 'latest', '--repo', repo], { env })).code).toBe(0);
  bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'pgdr'),
    `#!/bin/sh\nexec ${[process.execPath, ...pgdrCommand()].map(quote).join(' ')} "$@"\n`,
    { mode: 0o755 },
  );
});

/** A login shell's environment: the operator's password in PGPASSWORD (as in their profile), pgdr on PATH. */
function shellEnv(home: string): string {
  return `cd ${quote(work)} && export PATH=${quote(`${bin}:${process.env.PATH}`)} PGPASSWORD=${quote(cluster.password)} PGDR_HOME=${quote(home)} PGDR_OPERATOR=Ada TMPDIR=${quote(work)}`;
}

describe('a drill cut off by a dropped SSH session, resumed in a new one (tmux, 100×30)', () => {
  it('types only pgdr run --resume <id>: the run finishes, one continuous run with the gap marked, every row there', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pgdr-e2e-home-'));
    const exitFile = join(work, 'first-exit');
    // As a login shell does when the SSH connection drops: it gets the hang-up and passes it on to its job.
    const drill = `pgdr drill complete-loss --db ${url('app')} --scratch ${url('app_scratch')} --repo ${quote(repo)}`;
    const script = `trap 'kill -HUP $pid' HUP; ${drill} < /dev/tty & pid=$!; while kill -0 $pid 2>/dev/null; do wait $pid; code=$?; done; echo $code > ${quote(exitFile)}`;
    tmux(
      'new-session',
      '-d',
      '-s',
      'first',
      '-x',
      '100',
      '-y',
      '30',
      `${shellEnv(home)} && exec bash -c ${quote(script)}`,
    );
    const first = tmuxSession(tmux, 'first');
    await first.until('the first checklist', (s) => s.includes('0/3 done'));
    await first.keys('Space', 'Down', 'Space', 'Down', 'Space');
    await first.until('three ticks', (s) => s.includes('3/3 done'));
    await first.keys('Enter');
    const deadline = Date.now() + 60_000;
    while (!(await copyRunningInto(cluster, 'app_scratch'))) {
      if (Date.now() > deadline) throw new Error(`pg_restore never loaded app_scratch; the screen:\n${first.screen()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    tmux('kill-session', '-t', 'first');
    for (let waited = 0; !existsSync(exitFile); waited += 100) {
      if (waited > 60_000) throw new Error('pgdr did not exit after the hang-up');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('129');
    const runId = readdirSync(join(work, 'pgdr-runs'))[0]!;

    tmux('new-session', '-d', '-s', 'second', '-x', '100', '-y', '30', `${shellEnv(home)} && exec bash --norc -i`);
    const second = tmuxSession(tmux, 'second');
    await second.until('a prompt', (s) => s.trim().length > 0);
    second.type(`pgdr run --resume ${runId}`);
    await second.keys('Enter');
    const resumed = await second.until('the closing checklist', (s) => s.includes('0/2 done'), 120_000);
    // The screen of the resumed run: phases done before are done, the RTO clock runs from the first start.
    expect(resumed).toContain('(resumed)');
    expect(resumed).toMatch(/✔ Assess/);
    expect(resumed).toMatch(/✔ Restore/);
    // Before the drill ends (and drops it): the scratch database holds every row of every table.
    expect(await tableFingerprints(cluster.target('app_scratch'))).toEqual(
      await tableFingerprints(cluster.target('app')),
    );
    await second.keys('Space', 'Down', 'Space');
    await second.until('two ticks', (s) => s.includes('2/2 done'));
    await second.keys('Enter');
    await second.until('the notes prompt', (s) => s.includes('Notes for the report'));
    await second.keys('Enter');
    await second.until('the sign-off', (s) => s.includes("Approver's name"));
    await second.keys('Enter');
    const end = await second.until('the end of the run', (s) => s.includes('run passed'), 60_000);
    expect(end).toContain('report pgdr-runs/');

    const runDir = join(work, 'pgdr-runs', runId);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'passed', mode: 'drill', runId });
    expect(report.interruptions).toEqual([
      expect.objectContaining({ reason: 'SIGHUP', gapMs: expect.any(Number), resumedAt: expect.any(String) }),
    ]);
    // One run: its clock from the first start, the gap inside it.
    expect(report.rto.actualMs).toBeGreaterThan(report.interruptions[0].gapMs);
    expect(report.startedAt < report.interruptions[0].at).toBe(true);
    const restore = report.phases.find((p: { id: string }) => p.id === 'restore');
    expect(restore.steps.find((s: { id: string }) => s.id === 'restore')).toMatchObject({
      status: 'succeeded',
      attempts: 2,
    });
    expect(report.record.tables.every((t: { ok: boolean }) => t.ok)).toBe(true);
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toMatch(/<rect class="gap"/);
    expect((await runPgdr(['report', 'verify', runId], { cwd: work })).code).toBe(0);
    expect(await psql(cluster, 'postgres', "select count(*) from pg_database where datname = 'app_scratch'")).toBe(
      '0\n',
    );
  });
});
