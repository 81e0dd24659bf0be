import { describe, expect, it } from 'vitest';
import { sandboxDrill, stepOutputs, leftovers } from './helpers.js';

describe('shipped runbooks against the sandbox: restores from a dump', () => {
  it('accidental-deletion copies back exactly the deleted rows', async () => {
    const run = await sandboxDrill('accidental-deletion');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.report.status).toBe('passed');
    expect(stepOutputs(run, 'restore-rows')).toMatchObject({ database: 'app', rowsRestored: 12 });
    expect(run.report.validations.find((v: { stepId: string }) => v.stepId === 'rows-back').passed).toBe(true);
    expect(leftovers(run).processes).toEqual([]);
  });

  it('corruption blocks connections, restores in place after a safety snapshot, and lets connections back', async () => {
    const run = await sandboxDrill('corruption');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepOutputs(run, 'restore')).toMatchObject({ database: 'app', tablesChecked: 16 });
    expect(stepOutputs(run, 'restore').safetySnapshotId).toMatch(/-full-app$/);
    expect(
      run.report.validations.filter((v: { passed: boolean }) => v.passed).map((v: { stepId: string }) => v.stepId),
    ).toEqual(expect.arrayContaining(['row-counts', 'amcheck', 'health']));
    expect(run.stdout).toContain('Connections to app are allowed again');
    // It said how long the restore would take (the sandbox's repository has no history: a first guess), and the
    // report sets that against what each phase took.
    expect(run.stdout).toMatch(/Expected duration \S+ \(first guess from the archive size and the cores/);
    expect(run.report.predictions).toEqual([expect.objectContaining({ stepId: 'restore', runs: 0 })]);
    expect(run.report.predictions[0].total.actualMs).toBeGreaterThan(0);
    // The restore's subtasks follow its typed stages to the end, in order.
    const done = [
      'Checksum and table of contents',
      'pg_restore',
      'ANALYZE',
      'Row counts against the manifest: 16 table(s) match',
    ];
    const at = done.map((title) => run.stdout.indexOf(`✔ ${title}`));
    expect(
      at.every((i) => i >= 0),
      run.stdout,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('app-error restores the affected table into a scratch database that is dropped at the end', async () => {
    const run = await sandboxDrill('app-error');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepOutputs(run, 'restore-tables')).toMatchObject({ database: 'app_restored' });
    expect(run.stdout).toContain('Cleanup: scratch database app_restored dropped');
    expect(run.report.rpo.actualMs).toBeGreaterThanOrEqual(0);
  });
});
