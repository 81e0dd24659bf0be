import { parseRecoveryTime } from './recovery-time.js';

/** What PostgreSQL's startup process said about the end of a point-in-time recovery. */
export interface RecoveryOutcome {
  /** "recovery stopping before commit of transaction N, time T": the first transaction NOT applied. */
  stoppedBefore: { xid: number; time: Date; raw: string } | undefined;
  /** "last completed transaction was at log time T": the last transaction applied. */
  lastCompleted: { time: Date; raw: string } | undefined;
  promoted: boolean;
  /** FATAL / PANIC lines, for the error when recovery failed. */
  fatal: string[];
}

const STOPPED = /recovery stopping before (?:commit|abort) of transaction (\d+), time (.+)$/m;
const LAST = /last completed transaction was at log time (.+)$/m;

export function parseRecoveryLog(text: string): RecoveryOutcome {
  const stopped = STOPPED.exec(text);
  const last = LAST.exec(text);
  return {
    stoppedBefore: stopped
      ? { xid: Number(stopped[1]), raw: stopped[2]!.trim(), time: parseRecoveryTime(stopped[2]!) }
      : undefined,
    lastCompleted: last ? { raw: last[1]!.trim(), time: parseRecoveryTime(last[1]!) } : undefined,
    promoted: /archive recovery complete|selected new timeline ID/.test(text),
    fatal: text
      .split('\n')
      .filter((l) => /\b(FATAL|PANIC):/.test(l))
      .map((l) => l.trim()),
  };
}
