import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinActions } from '../../src/actions/index.js';
import { loadRunbookFile, loadRunbookText, RunbookInvalid } from '../../src/runbook/loader.js';
import { listRunbooks, SHIPPED_RUNBOOKS_DIR } from '../../src/runbook/library.js';
import { runbookJsonSchema } from '../../src/runbook/schema.js';
import { tempDir } from './helpers.js';

const actions = builtinActions();

function problems(yaml: string): string[] {
  try {
    loadRunbookText(yaml, 'rb.yaml', actions);
  } catch (error) {
    if (error instanceof RunbookInvalid) return error.message.split('\n').slice(1);
    throw error;
  }
  return [];
}

const head = `id: t
title: T
severity: low
rto: 1h
rpo: 1h
`;

describe('runbook loader', () => {
  it('names file:line:column, the path and a suggestion for an unknown action', () => {
    const lines = problems(`${head}phases:
  - id: a
    title: A
    steps:
      - id: one
        title: One
        action: pg.ping
      - id: two
        title: Two
        action: pg.pong
`);
    expect(lines).toEqual([
      "rb.yaml:15:17: phases[0].steps[1].action: unknown action 'pg.pong' (did you mean pg.ping?)",
    ]);
  });

  it('reports schema errors at the offending value, and unknown keys at the key', () => {
    const lines = problems(`${head.replace('rto: 1h', 'rto: soon')}phases:
  - id: a
    title: A
    steps:
      - id: one
        title: One
        action: pg.ping
        retrys: 3
`);
    expect(lines).toContain('rb.yaml:4:6: rto: is not a duration (use e.g. 4h, 30m, 1h30m, 90s)');
    expect(lines.some((l) => l.startsWith('rb.yaml:13:9: phases[0].steps[0]:') && l.includes('retrys'))).toBe(true);
  });

  it('rejects references to later or unknown steps, unknown outputs, undeclared inputs and bad expressions', () => {
    const lines = problems(`${head}inputs:
  - { name: table, prompt: Table? }
phases:
  - id: a
    title: A
    steps:
      - { id: early, title: Early, action: notify, with: { message: "\${{ steps.late.outputs.backupId }}" } }
      - { id: late, title: Late, action: backup.select }
      - { id: out, title: Out, action: notify, with: { message: "\${{ steps.late.outputs.backupid }} \${{ inputs.tabel }}" } }
      - { id: ghost, title: Ghost, action: notify, with: { message: "\${{ steps.nope.outputs.x }}" } }
      - { id: cond, title: Cond, action: notify, when: "inputs.table = 'x'", with: { message: hi } }
      - { id: args, title: Args, action: sql.check, with: { query: select 1, atleast: 1 } }
`);
    expect(lines.join('\n')).toMatch(
      /rb\.yaml:12:69: phases\[0\]\.steps\[0\]\.with\.message: 'steps\.late\.outputs\.backupId' refers to step 'late', which runs later/,
    );
    expect(lines.join('\n')).toMatch(/has no output 'backupid' \(did you mean backupId\?\)/);
    expect(lines.join('\n')).toMatch(/'inputs\.tabel' refers to an undeclared input \(did you mean inputs\.table\?\)/);
    expect(lines.join('\n')).toMatch(/refers to unknown step 'nope'/);
    expect(lines.join('\n')).toMatch(/steps\[4\]\.when: bad expression "inputs\.table = 'x'": unexpected "="/);
    expect(lines.join('\n')).toMatch(/sql\.check has no argument 'atleast' \(did you mean atLeast\?\)/);
  });

  it('reports YAML syntax errors with their position, and refuses files over 1 MiB', () => {
    expect(problems(`${head}phases: [\n  - id: a\n`)[0]).toMatch(/^rb\.yaml:\d+:\d+: /);
    const dir = tempDir();
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${head}# ${'x'.repeat(1024 * 1024)}\n`);
    expect(() => loadRunbookFile(big, actions)).toThrow(/is \d+ bytes; the limit is 1048576 \(1 MiB\)/);
  });

  it("every shipped runbook validates and carries the seeds' RTO", () => {
    const entries = listRunbooks(actions);
    for (const entry of entries) expect(entry.error, entry.file).toBeUndefined();
    const rto = Object.fromEntries(entries.map((e) => [e.id, e.loaded!.runbook.rto]));
    expect(rto).toEqual({
      'accidental-deletion': '1h',
      'app-error': '2h',
      'complete-loss': '4h',
      corruption: '2h',
      pitr: '3h',
      'quarterly-drill': '4h',
      'region-failover': '4h',
    });
  });

  it('runbooks/runbook.schema.json is up to date with the zod schema', () => {
    const file = join(SHIPPED_RUNBOOKS_DIR, 'runbook.schema.json');
    const expected = JSON.stringify(runbookJsonSchema(), null, 2) + '\n';
    if (process.env.PGDR_WRITE_SCHEMA) writeFileSync(file, expected);
    expect(readFileSync(file, 'utf8'), 'run PGDR_WRITE_SCHEMA=1 npx vitest run test/runbook/loader.test.ts').toBe(
      expected,
    );
  });
});
