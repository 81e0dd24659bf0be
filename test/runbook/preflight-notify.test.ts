import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPgdr } from '../helpers/cli.js';
import { onePhaseRunbook, scripted, tempDir, testActions } from './helpers.js';
import { createRun } from '../../src/runbook/engine.js';

/** What the webhook received, in order: the event type and the title of each message. */
let received: { type: string; title: string }[] = [];
let server: Server;
let hookUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { type: string; title: string };
      received.push({ type: parsed.type, title: parsed.title });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => server.close());

const RUNBOOK = `id: paged
title: Paging test
severity: low
rto: 10m
rpo: 1h
phases:
  - id: assess
    title: Assess
    steps:
      - { id: announce, title: Tell the team, action: notify, with: { level: critical, message: "Recovery started by \${{ run.operator }}" } }
      - { id: look, title: Look around, manual: [The database is gone, The status page is quiet] }
      - { id: go, title: Go ahead, action: confirm, with: { message: "Go on?" } }
      - { id: wait, title: Wait, action: wait, with: { duration: 5s } }
`;

/** A directory with the runbook, and a config whose webhook gets run.started, run.finished and run.aborted. */
function workspace(withChannel = true): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
  if (withChannel)
    writeFileSync(
      join(dir, 'pgdr.config.yaml'),
      `notifications:\n  webhook: { urlEnv: PGDR_TEST_HOOK }\n  on: [run.started, run.finished, run.aborted]\n`,
      { mode: 0o600 },
    );
  return dir;
}

const env = () => ({ PGDR_TEST_HOOK: hookUrl });

describe('preflight, before anything is announced', () => {
  it('without a terminal and without --yes, refuses before paging anyone, naming every --answer at once', async () => {
    received = [];
    const dir = workspace();
    const r = await runPgdr(['run', 'rb.yaml', '--plain'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(2);
    expect(received).toEqual([]);
    const out = r.stdout + r.stderr;
    expect(out).toContain('Nothing was run or announced');
    expect(out).toContain('--answer look.checklist=all --answer go.confirm=yes');
    expect(out).toMatch(/▶ preflight\/preflight\.questions started/);
    const report = JSON.parse(
      readFileSync(join(dir, 'pgdr-runs', readdirSync(join(dir, 'pgdr-runs'))[0]!, 'report.json'), 'utf8'),
    );
    expect(report.phases[0]).toMatchObject({ id: 'preflight', status: 'failed' });
    expect(report.phases[1]).toMatchObject({ id: 'assess', status: 'pending' });
  });

  it('the engine tells the channels the run started and how it ended; the notify step says it was sent', async () => {
    received = [];
    const ok = await runPgdr(['run', 'rb.yaml', '--plain', '--yes', '--operator', 'Grace Hopper'], {
      cwd: workspace(),
      env: env(),
    });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(received.map((m) => m.type)).toEqual(['run.started', 'run.started', 'run.finished']);
    // the page names the person on call, as the drill record does, with the account they run pgdr from
    expect(received[0]!.title).toMatch(/Incident run Paging test started by Grace Hopper \(\S+@\S+\)$/);
    expect(received[1]!.title).toMatch(/Recovery started by Grace Hopper \(\S+@\S+\)/);
    expect(received[2]!.title).toContain('Paging test passed');
  });

  it('a notify step with no channel configured is skipped, in yellow, and the report says nobody was told', async () => {
    const dir = workspace(false);
    const r = await runPgdr(['run', 'rb.yaml', '--plain', '--yes'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('↷ assess/announce skipped in');
    expect(r.stdout).toContain('no notification channel configured; nobody was told');
    // The message is kept in the log as what the team was to be told, never worded as if it went out.
    expect(r.stdout).toContain('message for the team (critical): Recovery started by');
    expect(r.stdout).not.toMatch(/notify \[critical\]/);
    const runDir = join(dir, 'pgdr-runs', readdirSync(join(dir, 'pgdr-runs'))[0]!);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    const announce = report.phases[1].steps.find((s: { id: string }) => s.id === 'announce');
    expect(announce).toMatchObject({
      status: 'skipped',
      action: 'notify',
      reason: expect.stringContaining('no notification channel'),
    });
    expect(report.deviations).toContainEqual(
      expect.objectContaining({ stepId: 'announce', what: expect.stringContaining('nobody was told') }),
    );
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('skipped: no notification channel configured');
  });

  it('an aborted run tells the channels run.aborted', async () => {
    received = [];
    process.env.PGDR_TEST_HOOK = hookUrl;
    const actions = testActions();
    const run = createRun({
      runbook: onePhaseRunbook(['{ id: slow, title: Slow, action: test.slow, with: { ms: 10000 } }'], actions),
      mode: 'incident',
      prompter: scripted(),
      runsDir: tempDir(),
      actions,
      services: {
        notifications: { webhook: { urlEnv: 'PGDR_TEST_HOOK' }, on: ['run.started', 'run.finished', 'run.aborted'] },
      },
    });
    run.subscribe((e) => {
      if (e.type === 'step.started' && e.stepId === 'slow') setTimeout(() => run.requestAbort(), 20);
    });
    expect((await run.start()).status).toBe('aborted');
    expect(received.map((m) => m.type)).toEqual(['run.started', 'run.aborted']);
    expect(received[1]!.title).toContain('Test runbook aborted');
  });
});
