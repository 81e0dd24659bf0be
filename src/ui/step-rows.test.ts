import { describe, expect, it } from 'vitest';
import type { StepRow } from './step-rows.js';
import { fitRows } from './step-rows.js';

const steps = (n: number, runningAt: number): StepRow[] =>
  Array.from({ length: n }, (_v, i) => ({
    kind: 'step',
    key: `s${i}`,
    status: i < runningAt ? 'succeeded' : i === runningAt ? 'running' : 'pending',
    title: `step ${i}`,
    time: '',
  }));

describe('fitRows', () => {
  it('leaves a list that fits alone', () => {
    expect(fitRows(steps(5, 2), 5)).toHaveLength(5);
  });

  it('never returns more rows than asked, always shows the running step, and counts what it hides', () => {
    for (let n = 4; n < 30; n++) {
      for (let max = 3; max < n; max++) {
        for (let running = 0; running < n; running++) {
          const out = fitRows(steps(n, running), max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out.some((r) => r.key === `s${running}`)).toBe(true);
          const hidden = out.reduce((sum, r) => sum + (r.kind === 'more' ? r.count : 0), 0);
          expect(out.filter((r) => r.kind !== 'more').length + hidden).toBe(n);
        }
      }
    }
  });

  it('focuses the last failed step when nothing runs', () => {
    const rows = steps(20, 99).map((r, i) => (i === 15 && r.kind === 'step' ? { ...r, status: 'failed' as const } : r));
    const out = fitRows(rows, 6);
    expect(out.map((r) => r.key)).toContain('s15');
    expect(out[0]).toEqual({ kind: 'more', key: 'more:before', count: expect.any(Number) });
  });
});
