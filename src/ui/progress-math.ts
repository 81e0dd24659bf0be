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

/** The next sample for a label; a counter that went backwards (a retry) starts a new rate measurement. */
export function nextSample(
  previous: ProgressSample | undefined,
  reading: { at: number; done: number; total?: number },
): ProgressSample & { restarted: boolean } {
  const restarted = !previous || reading.done < previous.done;
  return {
    firstAt: restarted ? reading.at : previous.firstAt,
    firstDone: restarted ? reading.done : previous.firstDone,
    at: reading.at,
    done: reading.done,
    total: reading.total,
    restarted,
  };
}
