import { describe, expect, it } from 'vitest';
import { firstGuess, predictionLines, predictRestore, type RestoreShape } from './restore-prediction.js';
import { parseRecord, type RestoreRecord } from './restore-history.js';
import { PhaseClock } from './restore-phases.js';
import { quietContext } from '../core/context.js';

const MB = 1024 * 1024;
const shape: RestoreShape = {
  bytes: 100 * MB,
  plainBytes: 400 * MB,
  tables: 20,
  jobs: 2,
  cores: 2,
  mode: 'new-db',
  source: 'materialize',
};

function past(seconds: [number, number, number, number], over: Partial<RestoreRecord> = {}, day = 1): RestoreRecord {
  const [stage, load, indexes, analyze] = seconds.map((s) => s * 1000) as [number, number, number, number];
  return {
    version: 1,
    at: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    backupId: '20261101T100000Z-full-app',
    archive: { bytes: 100 * MB, plainBytes: 400 * MB, tables: 20, encrypted: false },
    jobs: 2,
    cores: 2,
    mode: 'new-db',
    source: 'materialize',
    phases: { stage, load, indexes, analyze },
    totalMs: stage + load + indexes + analyze,
    ...over,
  };
}

describe('predictRestore', () => {
  it('takes the median of past restores per phase, so one slow outlier does not move it', () => {
    const p = predictRestore(shape, [
      past([2, 10, 5, 1], {}, 1),
      past([2, 11, 6, 1], {}, 2),
      past([20, 90, 50, 9], {}, 3),
    ]);
    expect(p.runs).toBe(3);
    expect(p.phases).toEqual({ stage: 2000, load: 11000, indexes: 6000, analyze: 1000 });
    expect(p.totalMs).toBe(20000);
  });

  it('scales each past throughput by the new archive: twice the data, twice the load', () => {
    const p = predictRestore({ ...shape, bytes: 200 * MB, plainBytes: 800 * MB }, [past([2, 10, 5, 1])]);
    expect(p.phases.load).toBe(20000);
    expect(p.phases.stage).toBe(4000);
    // ANALYZE and the counts go half by size, half by tables (same tables): 1.5×.
    expect(p.phases.analyze).toBe(1500);
  });

  it('rests on the most similar restores only, and never on ones restored another way', () => {
    const history = [
      past([1, 1, 1, 1], { mode: 'in-place' }),
      past([9, 9, 9, 9], { source: 'stream', jobs: 1 }),
      ...[1, 2, 3, 4, 5].map((d) => past([2, 10, 5, 1], {}, d)),
      past([2, 10, 5, 1], { archive: { bytes: 10_000 * MB, plainBytes: 40_000 * MB, tables: 900, encrypted: false } }),
    ];
    const p = predictRestore(shape, history);
    expect(p.runs).toBe(5);
    expect(p.phases.load).toBe(10000);
  });

  it('without comparable history, a first guess from the size and cores, saying so', () => {
    const p = predictRestore(shape, [past([1, 1, 1, 1], { mode: 'in-place' })]);
    expect(p).toEqual(firstGuess(shape));
    expect(p.runs).toBe(0);
    expect(p.totalMs).toBeGreaterThan(10_000);
    expect(predictionLines(p)[0]).toMatch(/first guess from the archive size and the cores/);
    expect(predictionLines(predictRestore(shape, [past([2, 10, 5, 1]), past([2, 10, 5, 1])]))[0]).toMatch(
      /^Expected duration 18\.0s \(based on 2 past restores\):$/,
    );
  });
});

describe('restore history records', () => {
  it('reads back what pgdr writes and refuses anything else, saying why', () => {
    expect(parseRecord(JSON.stringify(past([1, 2, 3, 4]))).record).toBeDefined();
    expect(parseRecord('{"version":1').problem).toBe('not JSON');
    expect(parseRecord(JSON.stringify({ ...past([1, 2, 3, 4]), extra: 1 })).problem).toMatch(/record/);
    const negative = past([1, 2, 3, 4]);
    negative.phases.load = -5;
    expect(parseRecord(JSON.stringify(negative)).problem).toMatch(/^phases\.load/);
    expect(parseRecord(JSON.stringify({ ...past([1, 2, 3, 4]), backupId: '../../etc\u001b[31m' })).problem).toMatch(
      /^backupId/,
    );
  });
});

describe('PhaseClock', () => {
  it('splits the run at the check, the first post-data item of pg_restore and the load, adding up to the whole', () => {
    let now = 1000;
    const clock = new PhaseClock(1000, () => now);
    const ctx = clock.follow(quietContext());
    now = 3000;
    ctx.stage?.('checked');
    now = 4000;
    ctx.log.debug('pg_restore: pg_restore: processing data for table "public.t"');
    now = 9000;
    ctx.log.debug('pg_restore: pg_restore: creating CONSTRAINT "public.t t_pkey"');
    now = 9500;
    ctx.log.debug('pg_restore: pg_restore: creating INDEX "public.t_i"');
    now = 12000;
    ctx.stage?.('loaded');
    expect(clock.durations(13000)).toEqual({ stage: 2000, load: 6000, indexes: 3000, analyze: 1000 });
  });

  it('a streamed archive checked after its post-data began still gives phases that add up', () => {
    let now = 0;
    const clock = new PhaseClock(0, () => now);
    const ctx = clock.follow(quietContext());
    now = 5000;
    ctx.log.debug('pg_restore: pg_restore: creating INDEX "public.t_i"');
    now = 6000;
    ctx.stage?.('checked');
    now = 8000;
    ctx.stage?.('loaded');
    const d = clock.durations(9000);
    expect(d).toEqual({ stage: 6000, load: 0, indexes: 2000, analyze: 1000 });
  });
});
