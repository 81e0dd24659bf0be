import { UsageError } from '../../core/errors.js';

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A point-in-time target as typed: a time (parseRecoveryTime) or "latest", the end of pgBackRest's archived WAL.
 * Supabase restores only to a time; `flag` names where the value came from in the refusal.
 */
export function parsePitrTarget(text: string, provider: 'pgbackrest' | 'supabase', flag: string): Date | 'latest' {
  if (text.trim().toLowerCase() !== 'latest') return parseRecoveryTime(text);
  if (provider === 'supabase') {
    throw new UsageError(
      `${flag} latest is for pgBackRest; Supabase restores to a time.`,
      'Give the time with its zone, e.g. "2025-01-10 14:00:00+00"; pgdr pitr info --supabase-project REF shows the window.',
    );
  }
  return 'latest';
}

/**
 * Parses a recovery target: "2025-01-10 14:00:00+00", "2025-01-10T14:00:00.250Z", "2025-01-10 14:00:00 UTC".
 * A time without a zone is refused: on a server in another zone it names another instant, which is exactly the
 * mistake that restores the wrong data.
 */
export function parseRecoveryTime(text: string): Date {
  const trimmed = text.trim();
  const match = PATTERN.exec(trimmed);
  if (!match) {
    throw new UsageError(
      `"${trimmed}" is not a recovery time pgdr understands.`,
      'Use "YYYY-MM-DD HH:MM:SS+00" or ISO 8601 with a zone, e.g. "2025-01-10 14:00:00+00" or "2025-01-10T14:00:00Z".',
    );
  }
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = match;
  if (!zone) {
    throw new UsageError(
      `"${trimmed}" has no time zone, so it is ambiguous.`,
      `Add the zone explicitly: "${trimmed}+00" for UTC, or the offset of the clock you read it from (e.g. "${trimmed}+02").`,
    );
  }
  const ms = Number((frac + '000').slice(0, 3));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const date = new Date(local - offsetMinutes(zone) * 60_000);
  const check = new Date(local);
  if (
    Number.isNaN(date.getTime()) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new UsageError(`"${trimmed}" is not a valid date and time.`, 'Check the day, month and hour.');
  }
  return date;
}

function offsetMinutes(zone: string): number {
  if (/^(Z|UTC|GMT)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 15 || minutes > 59)
    throw new UsageError(`"${zone}" is not a valid UTC offset.`, 'Offsets run from -12:00 to +14:00.');
  return sign * (hours * 60 + minutes);
}

/** "2025-01-10 14:00:00.123+00": the form PostgreSQL's recovery_target_time and pgBackRest both read. */
export function formatPgTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '+00');
}
