import { describe, expect, it } from 'vitest';
import { Aborted, errorMessage, PgdrError, UsageError } from './errors.js';
import { RunNotResumable } from '../runbook/run-state.js';
import { DrillRefused } from '../runbook/step-runner.js';
import { ConfigInvalid } from '../config/load.js';
import { KeyMissing } from '../backup/archive.js';

describe('exit codes', () => {
  it('are decided by the class, and kinds of a class inherit its code', () => {
    expect(new PgdrError('x').exitCode).toBe(1);
    expect(new UsageError('x', 'y')).toMatchObject({ exitCode: 2, hint: 'y', name: 'UsageError' });
    expect(new RunNotResumable('x', { hint: 'y' })).toMatchObject({ exitCode: 2, hint: 'y', name: 'RunNotResumable' });
    expect(new ConfigInvalid('x').exitCode).toBe(2);
    expect(new KeyMissing('x').exitCode).toBe(2);
    expect(new DrillRefused('x').exitCode).toBe(3);
    expect(new Aborted().exitCode).toBe(130);
  });

  it('errorMessage reads anything thrown', () => {
    expect(errorMessage(new UsageError('bad flag'))).toBe('bad flag');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});
