import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';
import { killTree } from '../helpers/processes.js';

const PGDR = fileURLToPath(new URL('../../bin/pgdr.mjs', import.meta.url));

function runbookFile(dir: string): string {
  const marker = join(dir, 'marker.txt');
  const file = join(dir, 'rb.yaml');
  writeFileSync(
    file,
    `id: crashy
title: Crash test
severity: low
rto: 10m
rpo: 1h
phases:
  - id: first
    title: First
    steps:
      - { id: a, title: A, action: shell, with: { command: "echo a >> ${marker}" } }
  - id: second
    title: Second
    steps:
      - { id: pause, title: Pause, action: wait, with: { duration: 2s } }
      - { id: b, title: B, action: shell, with: { command: "echo b >> ${marker}" } }
  - id: third
    title: Third
    steps:
      - { id: c, title: C, action: shell, with: { command: "echo start-c >> ${marker}; sleep 1; echo c >> ${marker}" } }
`,
  );
  return file;
}

function pgdr(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [PGDR, ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

async function waitForJournal(runsDir: string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const ids = existsSync(runsDir) ? readdirSync(runsDir) : [];
    const journal = ids[0] ? join(runsDir, ids[0], 'journal.jsonl') : undefined;
    if (journal && existsSync(journal) && pattern.test(readFileSync(journal, 'utf8'))) return ids[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`journal never matched ${pattern}`);
}

describe('resume after the process dies', () => {
  it.each([
    ['second', 'pause', ['a', 'b', 'start-c', 'c']],
    ['third', 'c', ['a', 'b', 'start-c', 'start-c', 'c']],
  ])(
    'SIGKILL during phase %s (step %s): resume finishes without repeating finished steps',
    async (_phase, step, expected) => {
      const dir = tempDir();
      const file = runbookFile(dir);
      const runsDir = join(dir, 'runs');
      const first = pgdr(['run', file, '--plain', '--yes', '--runs-dir', runsDir], dir);
      const firstExit = exited(first);
      const runId = await waitForJournal(runsDir, new RegExp(`"step.started"[^\\n]*"stepId":"${step}"`));
      await new Promise((r) => setTimeout(r, 300));
      killTree(first.pid!);
      await firstExit;
      const second = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes', '--runs-dir', runsDir], dir));
      expect(second.code, second.out).toBe(0);
      expect(readFileSync(join(dir, 'marker.txt'), 'utf8').trim().split('\n')).toEqual(expected);
      const report = JSON.parse(readFileSync(join(runsDir, runId, 'report.json'), 'utf8'));
      expect(report.status).toBe('passed');
    },
  );

  it('a hang-up leaves an intact journal and a resumable run', async () => {
    const dir = tempDir();
    const file = runbookFile(dir);
    const runsDir = join(dir, 'runs');
    const child = pgdr(['run', file, '--plain', '--yes', '--runs-dir', runsDir], dir);
    const done = exited(child);
    const runId = await waitForJournal(runsDir, /"stepId":"pause"/);
    child.kill('SIGHUP');
    const { code, out } = await done;
    expect(code, out).toBe(129);
    expect(out).toContain(`pgdr run --resume ${runId}`);
    const lines = readFileSync(join(runsDir, runId, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const records = lines.map((line) => JSON.parse(line));
    expect(records.at(-1)).toMatchObject({ type: 'run.suspended', reason: 'SIGHUP', stepId: 'pause' });
    const resumed = await exited(pgdr(['run', '--resume', runId, '--plain', '--yes', '--runs-dir', runsDir], dir));
    expect(resumed.code, resumed.out).toBe(0);
    expect(readFileSync(join(dir, 'marker.txt'), 'utf8').trim().split('\n')).toEqual(['a', 'b', 'start-c', 'c']);
  });
});
