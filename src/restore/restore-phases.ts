import type { Logger, OperationContext, OperationStage } from '../core/context.js';

/**
 * The phases of a restore as pgdr times and predicts them, one after the other from its start to its end so they add
 * up to its duration: the archive fetched, checked against its sha256, decrypted and decompressed (one pass, so one
 * phase; in a parallel restore the definitions go in meanwhile); the data loaded (COPY); the indexes, constraints and
 * triggers built; ANALYZE and the row counts against the manifest.
 */
export const RESTORE_PHASES = ['stage', 'load', 'indexes', 'analyze'] as const;
export type RestorePhase = (typeof RESTORE_PHASES)[number];

export const PHASE_TITLES: Record<RestorePhase, string> = {
  stage: 'download, checksum, decrypt, decompress',
  load: 'load (COPY)',
  indexes: 'indexes and constraints',
  analyze: 'ANALYZE and row counts',
};

export type PhaseDurations = Record<RestorePhase, number>;

/** pg_restore --verbose starting on the post-data section: the data is in, the indexes and constraints begin. */
const POST_DATA = /pg_restore: creating (?:INDEX|CONSTRAINT|FK CONSTRAINT|TRIGGER|INDEX ATTACH)\b/;

/**
 * Times a restore's phases from the marks it passes: the archive checked (ctx.stage), pg_restore's first post-data
 * item (its --verbose lines, which runPgRestore logs at debug level), the data and indexes loaded (ctx.stage), the end.
 */
export class PhaseClock {
  private readonly marks: Partial<Record<'checked' | 'indexes' | 'loaded', number>> = {};

  constructor(
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `ctx` with its stages and pg_restore's lines also seen by the clock. */
  follow(ctx: OperationContext): OperationContext {
    const log: Logger = {
      ...ctx.log,
      debug: (message) => {
        if (this.marks.indexes === undefined && POST_DATA.test(message)) this.marks.indexes = this.now();
        ctx.log.debug(message);
      },
    };
    return {
      ...ctx,
      log,
      stage: (stage: OperationStage) => {
        this.marks[stage] ??= this.now();
        ctx.stage?.(stage);
      },
    };
  }

  /** Each phase's milliseconds, the marks made monotonic (a streamed archive is checked as its last table loads). */
  durations(endedAt = this.now()): PhaseDurations {
    const end = Math.max(endedAt, this.startedAt);
    const loaded = Math.min(end, Math.max(this.startedAt, this.marks.loaded ?? end));
    const checked = Math.min(loaded, Math.max(this.startedAt, this.marks.checked ?? this.startedAt));
    const indexes = Math.min(loaded, Math.max(checked, this.marks.indexes ?? loaded));
    return {
      stage: checked - this.startedAt,
      load: indexes - checked,
      indexes: loaded - indexes,
      analyze: end - loaded,
    };
  }
}
