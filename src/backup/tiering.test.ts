import { describe, expect, it } from 'vitest';
import { fakeBackup } from '../../test/helpers/manifests.js';
import { planRetention } from './retention.js';
import { planMoves } from './tiering.js';

const entry = (id: string, storageClass?: 'GLACIER_IR' | 'DEEP_ARCHIVE') => ({
  manifest: fakeBackup(id).manifest,
  ...(storageClass ? { storageClass } : {}),
});

describe('archive tiers: which kept backups move, and where', () => {
  it('the year’s keeper goes to the yearly class, other monthly keepers to the monthly class, warm ones stay', () => {
    const entries = [
      entry('20231231T020000Z-full-app'),
      entry('20240331T020000Z-full-app'),
      entry('20240430T020000Z-full-app', 'GLACIER_IR'),
      entry('20240614T020000Z-full-app'),
      entry('20240615T020000Z-full-app'),
    ];
    const policy = { keepDaily: 2, keepWeekly: 0, keepMonthly: 12, keepYearly: 5 };
    const decisions = planRetention(entries, policy, new Date('2024-06-15T12:00:00Z'));
    expect(planMoves(entries, decisions, { monthly: 'GLACIER_IR', yearly: 'DEEP_ARCHIVE' })).toEqual([
      { id: '20231231T020000Z-full-app', from: 'STANDARD', to: 'DEEP_ARCHIVE' },
      { id: '20240331T020000Z-full-app', from: 'STANDARD', to: 'GLACIER_IR' },
    ]);
    // Without a yearly class the year's keeper is a monthly keeper like the others; nothing ever moves warmer.
    expect(planMoves(entries, decisions, { monthly: 'GLACIER_IR' }).map((m) => m.id)).toEqual([
      '20231231T020000Z-full-app',
      '20240331T020000Z-full-app',
    ]);
    const cold = [entry('20231231T020000Z-full-app', 'DEEP_ARCHIVE'), ...entries.slice(1)];
    expect(planMoves(cold, decisions, { monthly: 'GLACIER_IR' }).map((m) => m.id)).toEqual([
      '20240331T020000Z-full-app',
    ]);
  });
});
