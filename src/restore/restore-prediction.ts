import { formatDuration } from '../core/duration.js';
import { PHASE_TITLES, RESTORE_PHASES, type PhaseDurations, type RestorePhase } from './restore-phases.js';
import type { RestoreRecord } from './restore-history.js';

/** What is known of the restore about to run: its archive and how it will be restored. */
export interface RestoreShape {
  bytes: number;
  plainBytes?: number;
  tables: number;
  jobs: number;
  cores: number;
  mode: RestoreRecord['mode'];
  source: RestoreRecord['source'];
}

/**
 * The expected duration of each phase and the total. `runs` past restores it rests on (0: a first guess from the
 * archive's size and the machine's cores, there being none to go by).
 */
export interface RestorePrediction {
  runs: number;
  phases: PhaseDurations;
  totalMs: number;
}

/** At most this many past restores, the most similar, make a prediction: the median of so few still drops an outlier. */
export const MAX_BASIS = 5;

/**
 * How unlike a past restore is: size and table count by ratio, a different job count or machine a step further off.
 * Restored another way (in place, streamed instead of staged) it is not comparable at all.
 */
function distance(shape: RestoreShape, past: RestoreRecord): number {
  if (past.mode !== shape.mode || past.source !== shape.source) return Infinity;
  const ratio = (a: number, b: number) => Math.abs(Math.log((a + 1) / (b + 1)));
  return (
    ratio(shape.bytes, past.archive.bytes) +
    0.5 * ratio(shape.tables, past.archive.tables) +
    (past.jobs === shape.jobs ? 0 : 0.5) +
    (past.cores === shape.cores ? 0 : 0.5)
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A past phase's duration scaled to the new archive: its throughput (bytes a second; for ANALYZE and the row counts,
 * half by bytes, half by tables) times the new archive's size. The plain size is used where both runs know it.
 */
function scaled(phase: RestorePhase, shape: RestoreShape, past: RestoreRecord): number {
  const plain = shape.plainBytes && past.archive.plainBytes;
  const bytesRatio = plain
    ? shape.plainBytes! / past.archive.plainBytes!
    : (shape.bytes + 1) / (past.archive.bytes + 1);
  const tablesRatio = (shape.tables + 1) / (past.archive.tables + 1);
  const factor = phase === 'analyze' ? (bytesRatio + tablesRatio) / 2 : bytesRatio;
  return past.phases[phase] * factor;
}

/** Pure: the prediction for `shape` from past restores (any order), or a first guess when none is comparable. */
export function predictRestore(shape: RestoreShape, history: readonly RestoreRecord[]): RestorePrediction {
  const basis = history
    .map((past, i) => ({ past, i, d: distance(shape, past) }))
    .filter((c) => Number.isFinite(c.d))
    // The most similar first; between equally similar ones, the newest.
    .sort((a, b) => a.d - b.d || b.past.at.localeCompare(a.past.at) || b.i - a.i)
    .slice(0, MAX_BASIS)
    .map((c) => c.past);
  if (basis.length === 0) return firstGuess(shape);
  const phases = Object.fromEntries(
    RESTORE_PHASES.map((p) => [p, Math.round(median(basis.map((past) => scaled(p, shape, past))))]),
  ) as PhaseDurations;
  return { runs: basis.length, phases, totalMs: sum(phases) };
}

const MB = 1024 * 1024;

/**
 * Without history: rates below what a slow disk and one busy core manage, so the guess errs long. The plain size is
 * taken as four times the archive's when unknown (pg_dump's compression of typical data).
 */
export function firstGuess(shape: RestoreShape): RestorePrediction {
  const plain = shape.plainBytes ?? shape.bytes * 4;
  const workers = Math.max(1, Math.min(shape.jobs, shape.cores));
  const phases: PhaseDurations = {
    stage: 1000 + (shape.bytes / (40 * MB)) * 1000,
    load: 1000 + (plain / (15 * MB * workers)) * 1000,
    indexes: 500 + (plain / (30 * MB * workers)) * 1000,
    analyze: 500 + shape.tables * 50 + (plain / (100 * MB * workers)) * 1000,
  };
  for (const p of RESTORE_PHASES) phases[p] = Math.round(phases[p]);
  return { runs: 0, phases, totalMs: sum(phases) };
}

function sum(phases: PhaseDurations): number {
  return RESTORE_PHASES.reduce((s, p) => s + phases[p], 0);
}

/** What the prediction rests on, in the operator's words. */
export function predictionBasis(prediction: Pick<RestorePrediction, 'runs'>): string {
  if (prediction.runs === 0) return 'first guess from the archive size and the cores: no past restore to go by';
  return `based on ${prediction.runs} past restore${prediction.runs === 1 ? '' : 's'}`;
}

/** The lines printed before a restore starts (and by --dry-run). */
export function predictionLines(prediction: RestorePrediction): string[] {
  return [
    `Expected duration ${formatDuration(prediction.totalMs)} (${predictionBasis(prediction)}):`,
    ...RESTORE_PHASES.map((p) => `  ${PHASE_TITLES[p].padEnd(40)} ${formatDuration(prediction.phases[p])}`),
  ];
}
