import { availableParallelism } from 'node:os';
import type { OperationContext } from '../core/context.js';
import { findBackup } from '../backup/catalog.js';
import { verifyBackup, type VerifyOptions } from '../backup/verify.js';
import type { VerificationResult } from '../backup/manifest.js';
import { manifestTables } from '../backup/manifest-tables.js';
import { PhaseClock, type PhaseDurations } from './restore-phases.js';
import type { RestorePrediction } from './restore-prediction.js';
import { foresee, keepTiming } from './restore-timing.js';

export type TimedVerification = VerificationResult & {
  prediction?: RestorePrediction;
  timing?: { phases: PhaseDurations; totalMs: number };
};

/**
 * `backup verify --restore-test`, predicted and timed like a restore, from and into the history of verifications
 * (its restore runs its own way: the archive's checksum pass, then a streamed pg_restore, then the counts). Without a
 * restore test it is the plain verification.
 */
export async function verifyTimed(options: VerifyOptions, ctx: OperationContext): Promise<TimedVerification> {
  if (!options.restoreTest) return await verifyBackup(options, ctx);
  const clock = new PhaseClock(Date.now());
  // Its warnings (damaged backups beside it) are said by the verification itself.
  const { manifest } = await findBackup(options.repo, options.ref);
  const shape = {
    bytes: manifest.bytes,
    plainBytes: manifest.databaseBytes || undefined,
    tables: manifestTables(manifest).length,
    jobs: manifest.format === 'directory' ? 2 : 1,
    cores: availableParallelism(),
    mode: 'new-db' as const,
    source: 'verify' as const,
  };
  const prediction = await foresee(options.repo, shape, ctx);
  const result = await verifyBackup(options, clock.follow(ctx));
  if (!result.ok || !result.restoreTest) return { ...result, prediction };
  return { ...result, prediction, timing: await keepTiming(options.repo, manifest, shape, clock, ctx) };
}
