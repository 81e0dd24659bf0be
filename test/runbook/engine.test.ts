import { describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRun, resumeRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { readJournal } from '../../src/runbook/journal.js';
import type { RunEvent } from '../../src/runbook/events.js';
import { parseTarget } from '../../src/pg/connection.js';
import { z } from 'zod';
import { defineAction } from '../../src/actions/registry.js';
import { sleep } from '../../src/core/sleep.js';
import { scripted, tempDir, testActions } from './helpers.js';

function runbook(yaml: string, actions = testActions()) {
  return loadRunbookText(yaml, 'test.yaml', actions);
}

const header = `id: t\ntitle: Test runbook\nseverity: low\nrto: 1h\nrpo: 24h\n`;

/** A run suspended (as by a hang-up) while `stepId` runs, then resumed with `prompter`: the resumed run, not started. */
async function suspendedDuring(
  stepId: string,
  rb: ReturnType<typeof runbook>,
  actions: ReturnType<typeof testActions>,
  prompter: ReturnType<typeof scripted>,
) {
  const runsDir = tempDir();
  const run = createRun({
    writeReports: writeRunReports,
    runbook: rb,
    mode: 'incident',
    prompter: scripted(),
    runsDir,
    actions,
  });
  run.subscribe((e) => {
    if (e.type === 'step.started' && e.stepId === stepId) setTimeout(() => run.suspend('SIGHUP'), 30);
  });
  expect((await run.start()).status).toBe('suspended');
  return resumeRun(run.runId, { writeReports: writeRunReports, runsDir, prompter, actions });
}

describe('engine', () => {
  it('feeds outputs to later steps, evaluates when, and records everything in the journal', async () => {
    const log: string[] = [];
    const actions = testActions(log);
    const rb = runbook(
      `${header}inputs:
  - { name: provider, prompt: Which provider?, default: dump }
phases:
  - id: a
    title: A
    steps:
      - { id: pick, title: Pick, action: test.echo, with: { id: "b-\${{ inputs.provider }}", n: 3 } }
      - { id: use, title: Use, action: test.echo, with: { got: "\${{ steps.pick.outputs.id }}", mode: "\${{ run.mode }}", n: "\${{ steps.pick.outputs.n }}" } }
      - { id: pgbr, title: Only pgbackrest, action: test.echo, when: "inputs.provider == 'pgbackrest'" }
      - { id: notpgbr, title: Not pgbackrest, action: test.echo, when: "\${{ inputs.provider != 'pgbackrest' && !(run.mode == 'incident') }}" }
`,
      actions,
    );
    const runsDir = tempDir();
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'drill',
      prompter: scripted(),
      runsDir,
      actions,
      inputs: {},
    });
    const seen: RunEvent[] = [];
    run.subscribe((e) => seen.push(e));
    const result = await run.start();
    expect(result.status).toBe('passed');
    const finished = seen.filter(
      (e): e is Extract<RunEvent, { type: 'step.finished' }> => e.type === 'step.finished' && e.phaseId !== 'preflight',
    );
    expect(finished.map((e) => [e.stepId, e.status])).toEqual([
      ['pick', 'succeeded'],
      ['use', 'succeeded'],
      ['pgbr', 'skipped'],
      ['notpgbr', 'succeeded'],
    ]);
    expect(finished[1]!.outputs).toEqual({ got: 'b-dump', mode: 'drill', n: 3 });
    const journal = readJournal(result.runDir);
    expect(journal.map((r) => r.type)).toContain('run.finished');
    expect(statSync(result.runDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(result.runDir, 'journal.jsonl')).mode & 0o777).toBe(0o600);
    expect(result.reportPaths.map((p) => p.split('/').pop())).toEqual(['report.md', 'report.json', 'report.html']);
  });

  it('shows progress to its readers without journaling it: a restore reports every 64 KiB, and each line is fsynced', async () => {
    const actions = testActions().register(
      defineAction({
        name: 'test.progress',
        describe: 'reports progress',
        with: z.object({}),
        async run(ctx) {
          for (let done = 1; done <= 500; done++) ctx.progress({ label: 'copy', done, total: 500, unit: 'bytes' });
          return {};
        },
      }),
    );
    const rb = runbook(
      `${header}phases:\n  - id: a\n    title: A\n    steps:\n      - { id: copy, title: Copy, action: test.progress }\n`,
      actions,
    );
    const runsDir = tempDir();
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'drill',
      prompter: scripted(),
      runsDir,
      actions,
    });
    const seen: RunEvent[] = [];
    run.subscribe((e) => seen.push(e));
    const result = await run.start();
    expect(result.status).toBe('passed');
    expect(seen.filter((e) => e.type === 'progress')).toHaveLength(500);
    const journal = readJournal(result.runDir);
    expect(journal.filter((r) => r.type === 'progress')).toEqual([]);
    expect(journal.filter((r) => r.type === 'step.finished' && r.stepId === 'copy')).toHaveLength(1);
  });

  it('times out a step whose action ignores its signal, retries flaky steps, and goes on after continueOnError', async () => {
    const rb = runbook(`${header}phases:
  - id: a
    title: A
    steps:
      - { id: flaky, title: Flaky, action: test.flaky, with: { failures: 2 }, retries: 2, retryDelay: 10ms }
      - { id: hang, title: Hang, action: test.hang, timeout: 200ms, continueOnError: true }
      - { id: after, title: After, action: test.echo }
      - { id: fails, title: Fails, action: test.flaky, with: { failures: 5 }, retries: 1, retryDelay: 10ms }
      - { id: never, title: Never, action: test.echo }
`);
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'incident',
      prompter: scripted(),
      runsDir: tempDir(),
      actions: testActions(),
      cancelGraceMs: 300,
    });
    const started = Date.now();
    const result = await run.start();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.status).toBe('failed');
    const events = run.history();
    const fin = Object.fromEntries(events.filter((e) => e.type === 'step.finished').map((e) => [e.stepId, e]));
    expect(fin.flaky).toMatchObject({ status: 'succeeded', outputs: { attempts: 3 } });
    expect(fin.hang).toMatchObject({ status: 'failed' });
    expect(fin.hang!.type === 'step.finished' && fin.hang!.error).toMatch(/timed out after 200ms/);
    expect(fin.after).toMatchObject({ status: 'succeeded' });
    expect(fin.fails).toMatchObject({ status: 'failed', error: 'flake 2' });
    expect(fin.never).toBeUndefined();
    expect(
      events
        .filter((e) => e.type === 'step.started' && e.stepId === 'flaky')
        .map((e) => e.type === 'step.started' && e.attempt),
    ).toEqual([1, 2, 3]);
  });

  it('on abort asks whether to undo, then undoes completed steps newest first and records the answer', async () => {
    const log: string[] = [];
    const actions = testActions(log);
    const rb = runbook(
      `${header}phases:
  - id: a
    title: A
    steps:
      - { id: m1, title: Maintenance on, action: test.mark, with: { name: maint } }
      - { id: m2, title: Block, action: test.mark, with: { name: block } }
      - { id: m3, title: Explicit undo, action: test.echo, with: { x: 1 }, undo: { action: test.mark, with: { name: "undo-\${{ steps.m3.outputs.x }}" } } }
      - { id: slow, title: Slow, action: test.slow, with: { ms: 10000 } }
`,
      actions,
    );
    const prompter = scripted({ undo: true });
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'incident',
      prompter,
      runsDir: tempDir(),
      actions,
    });
    run.subscribe((e) => {
      if (e.type === 'step.started' && e.stepId === 'slow') setTimeout(() => run.requestAbort(), 50);
    });
    const result = await run.start();
    expect(result.status).toBe('aborted');
    expect(log).toEqual(['on:maint', 'on:block', 'echo:m3', 'on:undo-1', 'off:block', 'off:maint']);
    const journal = readJournal(result.runDir);
    expect(journal.find((r) => r.type === 'prompt.answered' && r.promptId === 'undo')).toMatchObject({ answer: true });
    expect(
      journal.filter((r) => r.type === 'undo.finished').map((r) => r.type === 'undo.finished' && r.stepId),
    ).toEqual(['m3', 'm2', 'm1']);
    const report = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8'));
    expect(report.undo).toMatchObject({ offered: true, accepted: true });
    expect(report.status).toBe('aborted');
  });

  it('refuses in a drill a step that writes to a production target, and keeps secrets out of the journal', async () => {
    const actions = testActions();
    const rb = runbook(
      `${header}inputs:
  - { name: token, prompt: API token, secret: true }
phases:
  - id: a
    title: A
    steps:
      - { id: say, title: Say, action: test.echo, with: { auth: "Bearer \${{ inputs.token }}" } }
      - { id: write, title: Write prod, action: test.mark, with: { name: x, target: prod } }
`,
      actions,
    );
    const prod = parseTarget('postgres://admin:hunter22@db.example.com/app', 'test');
    const run = createRun({
      writeReports: writeRunReports,
      runbook: rb,
      mode: 'drill',
      prompter: scripted({ 'input.token': 's3cr3t-token' }),
      runsDir: tempDir(),
      actions,
      targets: { prod: { name: 'prod', target: prod, production: true } },
    });
    const result = await run.start();
    expect(result.status).toBe('failed');
    const text = readFileSync(join(result.runDir, 'journal.jsonl'), 'utf8');
    expect(text).toMatch(/a target marked production; a drill never does/);
    expect(text).not.toContain('s3cr3t-token');
    expect(text).not.toContain('hunter22');
    for (const name of ['report.md', 'report.html', 'report.json'])
      expect(readFileSync(join(result.runDir, name), 'utf8')).not.toContain('s3cr3t-token');
  });

  it('resume re-asks about a step that was running, and does not repeat finished ones', async () => {
    const log: string[] = [];
    const actions = testActions(log);
    const rb = runbook(
      `${header}phases:
  - id: a
    title: A
    steps:
      - { id: one, title: One, action: test.echo }
      - { id: two, title: Two, action: test.slow, with: { ms: 10000 } }
      - { id: three, title: Three, action: test.echo }
`,
      actions,
    );
    const prompter = scripted({ 'resume.two': 'done' });
    const resumed = await suspendedDuring('two', rb, actions, prompter);
    const result = await resumed.start();
    expect(result.status).toBe('passed');
    expect(prompter.asked.map((p) => p.id)).toEqual(['resume.two']);
    expect(log).toEqual(['echo:one', 'echo:three']);
    const report = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8'));
    expect(report.interruptions).toHaveLength(1);
    expect(report.notes).toEqual([{ stepId: 'two', text: expect.stringContaining('marked done by the operator') }]);
  });

  it('resume does not offer "mark it done" for a step whose outputs later steps use: running it again gives them', async () => {
    const log: string[] = [];
    let runs = 0;
    const actions = testActions(log).register(
      defineAction({
        name: 'test.pick',
        describe: 'slow the first time, then picks',
        with: z.object({}),
        outputs: ['id'],
        async run(ctx) {
          if (++runs === 1) await sleep(10_000, ctx.signal);
          return { id: `backup-${runs}` };
        },
      }),
    );
    const rb = runbook(
      `${header}phases:
  - id: a
    title: A
    steps:
      - { id: pick, title: Pick, action: test.pick }
      - { id: use, title: Use, action: test.echo, with: { got: "\${{ steps.pick.outputs.id }}" } }
`,
      actions,
    );
    const prompter = scripted();
    const resumed = await suspendedDuring('pick', rb, actions, prompter);
    expect((await resumed.start()).status).toBe('passed');
    const asked = prompter.asked.find((p) => p.id === 'resume.pick');
    expect(asked?.kind === 'select' && asked.choices.map((c) => c.value)).toEqual(['again', 'abort']);
    expect(asked?.message).toContain('later steps use steps.pick.outputs.id');
    const used = resumed.history().find((e) => e.type === 'step.finished' && e.stepId === 'use');
    expect(used).toMatchObject({ outputs: { got: 'backup-2' } });
  });
});
