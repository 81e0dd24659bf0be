import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { readJournal } from '../../src/runbook/journal.js';
import { registerSecret } from '../../src/core/secrets.js';
import { appendAudit, readAudit } from '../../src/audit/audit-log.js';
import { runPgdr } from '../helpers/cli.js';
import { scripted, tempDir, testActions } from './helpers.js';

const header = `id: t\ntitle: Test runbook\nseverity: low\nrto: 1h\nrpo: 24h\n`;

function shellRunbook(command: string): string {
  return `${header}phases:
  - id: a
    title: A
    steps:
      - { id: say, title: Say, action: shell, with: { command: ${JSON.stringify(command)} } }
      - { id: after, title: After, action: test.echo }
`;
}

async function runShell(command: string) {
  const actions = testActions();
  const run = createRun({
    writeReports: writeRunReports,
    runbook: loadRunbookText(shellRunbook(command), 'test.yaml', actions),
    mode: 'drill',
    prompter: scripted(),
    runsDir: tempDir(),
    actions,
  });
  const result = await run.start();
  return { run, result, journal: readFileSync(join(result.runDir, 'journal.jsonl'), 'utf8') };
}

describe('redaction keeps every line that leaves pgdr whole', () => {
  it('a shell step printing "password=abc" does not end the run: it finishes, journaled, masked', async () => {
    const { run, result, journal } = await runShell('echo connecting with password=abc');
    expect(result.status).toBe('passed');
    expect(readJournal(result.runDir).at(-1)).toMatchObject({ type: 'run.finished', status: 'passed' });
    // The chain's hashes are hex and may hold "abc" by chance; the records themselves must not.
    expect(journal.replace(/"prev":"[0-9a-f]{64}"/g, '')).not.toContain('abc');
    const said = run.history().filter((e) => e.type === 'log' && e.stepId === 'say');
    expect(said.map((e) => e.type === 'log' && e.message)).toContain('connecting with password=***');
  });

  it('a secret holding a quote and a backslash is masked in the journal, the events and the report', async () => {
    const secret = 'pa"ss\\word-7f3';
    registerSecret(secret);
    const actions = testActions();
    const yaml = `${header}inputs:
  - { name: token, prompt: Token }
phases:
  - id: a
    title: A
    steps:
      - { id: say, title: Say, action: test.echo, with: { auth: "Bearer \${{ inputs.token }}" } }
`;
    const run = createRun({
      writeReports: writeRunReports,
      runbook: loadRunbookText(yaml, 'test.yaml', actions),
      mode: 'drill',
      prompter: scripted(),
      runsDir: tempDir(),
      actions,
      inputs: { token: secret },
    });
    const result = await run.start();
    expect(result.status).toBe('passed');
    const escaped = JSON.stringify(secret).slice(1, -1);
    expect(JSON.stringify(run.history())).not.toContain(escaped);
    expect(run.history().find((e) => e.type === 'step.finished' && e.phaseId !== 'preflight')).toMatchObject({
      outputs: { auth: 'Bearer ***' },
    });
    for (const name of ['journal.jsonl', 'report.md', 'report.json', 'report.html']) {
      const text = readFileSync(join(result.runDir, name), 'utf8');
      expect(text, name).not.toContain(escaped);
      expect(text, name).not.toContain('ss\\word-7f3');
    }
  });

  it('pgdr run --json prints one valid JSON line per event when a log line says password=', async () => {
    const dir = tempDir();
    const file = join(dir, 'rb.yaml');
    writeFileSync(file, shellRunbook('echo connecting with password=abc').replace('test.echo', 'wait'));
    writeFileSync(file, readFileSync(file, 'utf8').replace('action: wait', 'action: wait, with: { duration: 1ms }'));
    const { code, stdout, stderr } = await runPgdr(['run', file, '--json', '--yes', '--runs-dir', join(dir, 'runs')]);
    expect(code, stderr).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; message?: string; status?: string });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'passed' });
    expect(events.some((e) => e.message === 'connecting with password=***')).toBe(true);
    expect(stdout).not.toContain('abc');
  });

  it('the audit log keeps an entry whose details say password= or hold a quoted secret', async () => {
    const home = tempDir();
    const secret = 'au"dit\\secret';
    registerSecret(secret);
    await appendAudit(
      { command: 'backup', result: 'failed', durationMs: 1, details: { error: `login ${secret} password=abc` } },
      { PGDR_HOME: home },
    );
    const text = readFileSync(join(home, 'audit.jsonl'), 'utf8');
    expect(text).not.toContain('abc');
    expect(text).not.toContain('dit\\\\secret');
    expect(readAudit({ env: { PGDR_HOME: home } })).toMatchObject([{ details: { error: 'login *** password=***' } }]);
  });
});
