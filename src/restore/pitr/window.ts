import { PgdrError } from '../../core/errors.js';
import { formatPgTime } from './recovery-time.js';

/** The times a point-in-time restore can reach: from `earliest` up to `latest` (exclusive for pgBackRest, see wal-commit-time.ts). */
export interface RecoveryWindow {
  earliest: Date;
  /** Undefined when nothing after the earliest point can be reached (no later commit in the archive). */
  latest: Date | undefined;
  /** Where `latest` comes from, in words, for the operator. */
  latestSource: string;
}

export class TargetOutsideWindow extends PgdrError {}

export function describeWindow(window: RecoveryWindow): string {
  return `${formatPgTime(window.earliest)} … ${window.latest ? formatPgTime(window.latest) : '(nothing later recoverable yet)'}`;
}

/** Refuses a target the provider cannot reach, before anything is changed. */
export function assertInWindow(
  target: Date,
  window: RecoveryWindow,
  what: { provider: string; latestHint: string; latestInclusive?: boolean },
): void {
  const shown = formatPgTime(target);
  if (target.getTime() < window.earliest.getTime()) {
    throw new TargetOutsideWindow(
      `The recovery target ${shown} is before the recoverable window of ${what.provider} (${describeWindow(window)}).`,
      {
        hint: `Pick a time at or after ${formatPgTime(window.earliest)}; nothing older is kept. For older data, restore a logical backup (pgdr backups list).`,
      },
    );
  }
  const late = what.latestInclusive
    ? target.getTime() > (window.latest?.getTime() ?? -Infinity)
    : target.getTime() >= (window.latest?.getTime() ?? -Infinity);
  if (!window.latest || late) {
    throw new TargetOutsideWindow(
      `The recovery target ${shown} is after the recoverable window of ${what.provider} (${describeWindow(window)}; latest from ${window.latestSource}).`,
      { hint: what.latestHint },
    );
  }
}
