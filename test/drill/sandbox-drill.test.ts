import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { leftovers, sandboxDrill } from './helpers.js';

describe('pgdr drill --sandbox', () => {
  it('runs complete-loss end to end without a terminal, prints the report paths and leaves nothing behind', async () => {
    const run = await sandboxDrill(undefined);

    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('[DRILL]');
    // Before anything is announced, preflight says what restoring the newest backup is expected to take.
    expect(run.stdout).toMatch(
      /A restore of the newest backup here \(\S+\) into a new database is expected to take about/,
    );
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .slice(-3)
        .every((line) => /report \S+report\.(md|json|html)$/.test(line)),
    ).toBe(true);
    expect(run.reportPaths).toHaveLength(3);
    for (const path of run.reportPaths) expect(existsSync(path)).toBe(true);
    expect(run.report).toMatchObject({ status: 'passed', mode: 'drill', scenario: { id: 'complete-loss' } });
    expect(run.report.rto.actualMs).toBeGreaterThan(0);
    expect(run.report.rto.met).toBe(true);
    expect(run.report.rpo.actualMs).toBeGreaterThanOrEqual(0);
    expect(run.report.backup.id).toMatch(/-full-app$/);
    expect(run.report.validations.map((v: { stepId: string; passed: boolean }) => [v.stepId, v.passed])).toEqual(
      expect.arrayContaining([
        ['verify', true],
        ['ping', true],
        ['row-counts', true],
        ['health', true],
      ]),
    );
    expect(run.stderr).toContain('maintenance on, maintenance off, health ok');
    expect(run.stdout).toContain('Cleanup: scratch database app_restored dropped');
    expect(run.stdout + run.stderr).not.toMatch(/postgres:[0-9a-f]{24}@/);
    expect(leftovers(run)).toEqual({ files: [], processes: [] });
  });
});
