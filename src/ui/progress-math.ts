/** Rate and ETA from the first and latest reading of one progress label; shared by the TUI, plain lines and the one-shot printer. */
export interface ProgressSample {
  firstAt: number;
  firstDone: number;
  at: number;
  done: number;
  total?: number;
}

export interface ProgressStats {
  /** Units per second since the first reading, once there is a measurable interval. */
  rate?: number;
  etaMs?: number;
  /** 0..1 when the total is known. */
  fraction?: number;
  elapsedMs: number;
}

export function progressStats(sample: ProgressSample): ProgressStats {
  const elapsedMs = Math.max(0, sample.at - sample.firstAt);
  const moved = sample.done - sample.firstDone;
  const rate = elapsedMs >= 250 && moved > 0 ? (moved * 1000) / elapsedMs : undefined;
  const fraction = sample.total && sample.total > 0 ? Math.min(1, sample.done / sample.total) : undefined;
  const remaining = sample.total !== undefined ? Math.max(0, sample.total - sample.done) : undefined;
  const etaMs = rate && remaining !== undefined ? (remaining / rate) * 1000 : undefined;
  return { rate, etaMs, fraction, elapsedMs };
}
