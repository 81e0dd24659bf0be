import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pgdrCommand } from '../helpers/cli.js';

/** Three phases of shell steps writing to marker.txt; the second waits 2 s, so the run can be stopped there. */
export function runbookFile(dir: string): string {
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

/** pgdr in its own process group, as an operator's shell starts it; `env` adds to (or, undefined, removes from) ours. */
export function pgdr(args: string[], cwd: string, env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, [...pgdrCommand(), ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

export async function waitForJournal(runsDir: string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const ids = existsSync(runsDir) ? readdirSync(runsDir) : [];
    const journal = ids[0] ? join(runsDir, ids[0], 'journal.jsonl') : undefined;
    if (journal && existsSync(journal) && pattern.test(readFileSync(journal, 'utf8'))) return ids[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`journal never matched ${pattern}`);
}
