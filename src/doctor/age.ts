export const HOUR = 3_600_000;

/** "35 minutes", "7.5 hours", "3.2 days": how old something is, in the unit an operator reads at a glance. */
export const age = (ms: number): string =>
  ms >= 48 * HOUR
    ? `${(ms / (24 * HOUR)).toFixed(1)} days`
    : ms >= HOUR
      ? `${(ms / HOUR).toFixed(1)} hours`
      : `${Math.max(0, Math.round(ms / 60_000))} minutes`;
