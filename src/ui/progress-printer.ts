import type { ProgressUpdate } from '../core/context.js';
import { formatAmount, formatClock, formatRate } from './format.js';
import { nextSample, progressStats, type ProgressSample } from './progress-math.js';

export interface ProgressPrinter {
  /** Hand this to OperationContext.progress. */
  update(update: ProgressUpdate): void;
  /** Prints the last reading of every label and ends the line. */
  finish(): void;
}

export interface ProgressPrinterOptions {
  now?: () => number;
  /** Defaults: 500 ms on a terminal (rewritten in place), 10 s otherwise (one line each). */
  intervalMs?: number;
}

interface Track extends ProgressSample {
  label: string;
  unit: ProgressUpdate['unit'];
  printedAt: number;
  printedDone: number;
}

export function progressLine(track: Track): string {
  const stats = progressStats(track);
  const parts = [track.label, formatAmount(track.done, track.unit)];
  if (stats.fraction !== undefined) parts.push(`${Math.floor(stats.fraction * 100)}%`);
  if (stats.rate !== undefined) parts.push(formatRate(stats.rate, track.unit));
  parts.push(formatClock(stats.elapsedMs));
  if (stats.etaMs !== undefined) parts.push(`ETA ${formatClock(stats.etaMs)}`);
  return parts.join('  ');
}

/** One-shot commands (pgdr backup / restore): "dump  412 MiB  38.2 MiB/s  00:11  ETA 00:07" on stderr. */
export function createProgressPrinter(
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  options: ProgressPrinterOptions = {},
): ProgressPrinter {
  const tty = Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? (tty ? 500 : 10_000);
  const tracks = new Map<string, Track>();
  let openLine: string | undefined;

  const write = (track: Track) => {
    const line = progressLine(track);
    if (tty) {
      // A new label gets its own line; the same label is redrawn in place.
      if (openLine !== undefined && openLine !== track.label) stream.write('\n');
      stream.write(`\r${line}\x1b[K`);
      openLine = track.label;
    } else {
      stream.write(line + '\n');
    }
    track.printedAt = track.at;
    track.printedDone = track.done;
  };

  return {
    update(update) {
      const at = now();
      const previous = tracks.get(update.label);
      const { restarted, ...sample } = nextSample(previous, { at, done: update.done, total: update.total });
      const printed = previous && !restarted ? previous : { printedAt: -Infinity, printedDone: -1 };
      const track: Track = {
        label: update.label,
        unit: update.unit,
        ...sample,
        printedAt: printed.printedAt,
        printedDone: printed.printedDone,
      };
      tracks.set(update.label, track);
      // The reading that completes a track is shown when it happens, not at the end of the command.
      const complete = track.total !== undefined && track.done >= track.total && track.printedDone !== track.done;
      if (complete || at - track.printedAt >= intervalMs) write(track);
    },
    finish() {
      for (const track of tracks.values()) if (track.printedDone !== track.done) write(track);
      if (tty && openLine !== undefined) stream.write('\n');
      openLine = undefined;
      tracks.clear();
    },
  };
}
