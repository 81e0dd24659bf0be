import { describe, expect, it } from 'vitest';
import { sandboxDrill, stepOutputs } from './helpers.js';

describe('shipped runbooks against the sandbox: PITR, failover and the quarterly drill', () => {
  it('pitr (Supabase variant) recovers through the Management API stand-in and measures the RPO from the target', async () => {
    const run = await sandboxDrill('pitr');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepOutputs(run, 'supabase-restore')).toMatchObject({ statuses: 'RESTORING → ACTIVE_HEALTHY' });
    expect(stepOutputs(run, 'pgbackrest-restore')).toEqual({});
    expect(run.report.rpo.actualMs).toBeGreaterThanOrEqual(29_000);
    expect(run.report.rpo.actualMs).toBeLessThan(60_000);
    expect(run.report.validations.find((v: { stepId: string }) => v.stepId === 'no-recovery').passed).toBe(true);
  });

  it('region-failover runs its DNS and config hooks and waits out the TTL', async () => {
    const run = await sandboxDrill('region-failover');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(stepOutputs(run, 'dns-hook')).toMatchObject({ stdout: 'DNS now points at the DR region' });
    expect(stepOutputs(run, 'config-hook')).toMatchObject({ stdout: 'DATABASE_URL now points at the DR database' });
    expect(run.report.status).toBe('passed');
  });

  it('quarterly-drill takes a fresh backup, restores it into scratch and checks it', async () => {
    const run = await sandboxDrill('quarterly-drill');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const taken = stepOutputs(run, 'take');
    expect(taken.backupId).toMatch(/-full-app$/);
    expect(stepOutputs(run, 'pick').backupId).toBe(taken.backupId);
    expect(stepOutputs(run, 'restore')).toMatchObject({ database: 'app_restored', tablesChecked: 16 });
    expect(run.report.validations.every((v: { passed: boolean }) => v.passed)).toBe(true);
  });
});
