import { describe, expect, it } from 'vitest';
import { isBackupOf, makeBackupId } from './backup-id.js';

describe('isBackupOf', () => {
  it('matches the whole database name, not its end', () => {
    const at = new Date('2025-01-16T14:30:22Z');
    expect(isBackupOf(makeBackupId('full', 'orders', at), 'orders')).toBe(true);
    expect(isBackupOf(makeBackupId('full', 'old-orders', at), 'orders')).toBe(false);
    expect(isBackupOf(makeBackupId('tables', 'x-full-y', at), 'x-full-y')).toBe(true);
    expect(isBackupOf(makeBackupId('safety', 'my db', at), 'my db')).toBe(true);
    expect(isBackupOf('orders', 'orders')).toBe(false);
  });
});
