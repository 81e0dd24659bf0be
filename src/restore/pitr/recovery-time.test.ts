import { describe, expect, it } from 'vitest';
import { formatPgTime, parseRecoveryTime } from './recovery-time.js';
import { parseRecoveryLog } from './recovery-log.js';
import { lastXactEnd } from './wal-commit-time.js';
import { mergeIni } from './ini.js';

describe('recovery target times', () => {
  it('reads the forms operators type and PostgreSQL prints, as the same instant', () => {
    const at = Date.UTC(2025, 0, 10, 14, 0, 0);
    for (const text of [
      '2025-01-10 14:00:00+00',
      '2025-01-10T14:00:00Z',
      '2025-01-10 14:00:00 UTC',
      '2025-01-10T16:00:00+02:00',
      '2025-01-10 09:00:00-0500',
      '2025-01-10 14:00+00',
    ]) {
      expect(parseRecoveryTime(text).getTime(), text).toBe(at);
    }
    expect(parseRecoveryTime('2025-01-10 14:00:00.765071+00').getTime()).toBe(at + 765);
  });

  it('refuses a time without a zone, saying how to add one', () => {
    expect(() => parseRecoveryTime('2025-01-10 14:00:00')).toThrow(/no time zone/);
    expect(() => parseRecoveryTime('yesterday')).toThrow(/not a recovery time/);
    expect(() => parseRecoveryTime('2025-02-30 14:00:00+00')).toThrow(/not a valid date/);
  });

  it('formats what recovery_target_time and pgBackRest read', () => {
    expect(formatPgTime(new Date(Date.UTC(2025, 0, 10, 14, 0, 0, 250)))).toBe('2025-01-10 14:00:00.250+00');
  });
});

describe('what recovery left behind', () => {
  it('finds the first unapplied and the last applied transaction in the server log', () => {
    const log = [
      '2025-01-10 14:05:00.100 UTC [9] LOG:  starting point-in-time recovery to 2025-01-10 14:00:00+00',
      '2025-01-10 14:05:01.100 UTC [9] LOG:  recovery stopping before commit of transaction 731, time 2025-01-10 14:00:01.004+00',
      '2025-01-10 14:05:01.100 UTC [9] LOG:  redo done at 0/5000240',
      '2025-01-10 14:05:01.100 UTC [9] LOG:  last completed transaction was at log time 2025-01-10 13:59:59.9+00',
      '2025-01-10 14:05:01.200 UTC [9] LOG:  selected new timeline ID: 2',
    ].join('\n');
    const outcome = parseRecoveryLog(log);
    expect(outcome.stoppedBefore?.xid).toBe(731);
    expect(outcome.stoppedBefore?.time.toISOString()).toBe('2025-01-10T14:00:01.004Z');
    expect(outcome.lastCompleted?.time.toISOString()).toBe('2025-01-10T13:59:59.900Z');
    expect(outcome.promoted).toBe(true);
  });

  it('takes the last commit or abort pg_waldump printed', () => {
    const out = [
      'rmgr: Transaction len (rec/tot): 34/34, tx: 725, lsn: 0/05000200, prev 0/050001C0, desc: COMMIT 2026-11-21 23:51:26.765071 UTC',
      'rmgr: Transaction len (rec/tot): 34/34, tx: 726, lsn: 0/05000300, prev 0/05000200, desc: ABORT 2026-11-21 23:51:27.000001 UTC',
    ].join('\n');
    expect(lastXactEnd(out)).toBe('2026-11-21 23:51:27.000001');
    expect(lastXactEnd('rmgr: XLOG desc: SWITCH')).toBeUndefined();
  });
});

describe('pgbackrest.conf merge', () => {
  it('sets our keys and keeps everything else', () => {
    const before = '[global]\nrepo1-path=/old\n#repo1-cipher-pass=...\n\n[other]\npg1-path=/x\n';
    const after = mergeIni(before, {
      global: { 'repo1-path': '/new', 'start-fast': 'y' },
      main: { 'pg1-path': '/data' },
    });
    expect(after).toBe(
      '[global]\nrepo1-path=/new\n#repo1-cipher-pass=...\nstart-fast=y\n\n[other]\npg1-path=/x\n\n[main]\npg1-path=/data\n',
    );
  });
});
