import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPgdr } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const RUNBOOK = `id: signed
title: Signed drill
severity: low
rto: 10m
rpo: 1h
phases:
  - id: only
    title: Only
    steps:
      - { id: a, title: A, action: shell, with: { command: "echo drilled" } }
`;

/** A finished drill in a fresh directory: its id and directory. */
async function finishedDrill() {
  const dir = tempDir();
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
  const r = await runPgdr(['drill', 'rb.yaml', '--plain', '--yes', '--json'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const runId = JSON.parse(r.stdout.split('\n')[0]!).runId as string;
  return { dir, runId, runDir: join(dir, 'pgdr-runs', runId) };
}

describe('the drill record cannot be changed unnoticed', () => {
  it('each journal line carries the hash of the one before; the report states the last; verify checks both', async () => {
    const { dir, runId, runDir } = await finishedDrill();
    const lines = readFileSync(join(runDir, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines.every((line) => /"prev":"[0-9a-f]{64}"/.test(line))).toBe(true);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(report.integrity).toMatchObject({
      records: lines.length,
      chainHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain(report.integrity.chainHash);
    const ok = await runPgdr(['report', 'verify', runId], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`intact: ${lines.length} records`);
  });

  it('pgdr report verify finds a one-byte change anywhere in the journal', async () => {
    const { dir, runId, runDir } = await finishedDrill();
    const file = join(runDir, 'journal.jsonl');
    const original = readFileSync(file);
    for (const at of [40, Math.floor(original.length / 2), original.length - 30]) {
      const changed = Buffer.from(original);
      // One byte, kept printable so the JSON may even still parse: a digit or letter changed into another.
      changed[at] = changed[at] === 0x31 ? 0x32 : 0x31;
      writeFileSync(file, changed);
      const r = await runPgdr(['report', 'verify', runId], { cwd: dir });
      expect(r.code, `byte ${at}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/changed|damaged|does not match/);
    }
    writeFileSync(file, original);
    expect((await runPgdr(['report', 'verify', runId], { cwd: dir })).code).toBe(0);
  });

  it('pgdr report sign adds the approver to the chain and the report; verify then checks the signed record', async () => {
    const { dir, runId, runDir } = await finishedDrill();
    const signed = await runPgdr(
      [
        'report',
        'sign',
        runId,
        '--approver',
        'Dana Approver',
        '--note',
        'Reviewed with the DBA team',
        '--follow-up',
        'Shorten the restore=Sam',
      ],
      { cwd: dir },
    );
    expect(signed.code, signed.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
    expect(report.signoff).toMatchObject({ approver: 'Dana Approver', note: 'Reviewed with the DBA team' });
    expect(report.deviations).toContainEqual(expect.objectContaining({ what: 'Shorten the restore', owner: 'Sam' }));
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('Dana Approver');
    expect((await runPgdr(['report', 'verify', runId], { cwd: dir })).code).toBe(0);
  });
});
