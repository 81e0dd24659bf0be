import type { OperationContext } from '../../core/context.js';
import { Aborted, PgdrError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import { ProcessFailed } from '../../core/system.js';
import { runPgbackrest, type PgbackrestTarget } from './pgbackrest-command.js';
import { readStanza, type PhysicalSet } from './stanza-info.js';
import { BackupProgress } from './backup-progress.js';

export type PhysicalType = PhysicalSet['type'];

/** The operator's words for pgBackRest's types, as `pgdr backup <kind>` takes them. */
export const PHYSICAL_KINDS: Record<string, PhysicalType> = { full: 'full', differential: 'diff', incremental: 'incr' };

export interface PhysicalBackupOptions extends PgbackrestTarget {
  type: PhysicalType;
}

export interface PhysicalBackupResult {
  stanza: string;
  label: string;
  type: PhysicalType;
  /** pgBackRest takes a full instead of a diff or incr when the stanza has no full yet; this says what was asked. */
  requested: PhysicalType;
  prior?: string;
  reference: string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  databaseBytes: number;
  deltaBytes: number;
  repoDeltaBytes: number;
  walStart?: string;
  walStop?: string;
}

export class PhysicalBackupFailed extends PgdrError {}

/**
 * `pgbackrest backup --type=full|diff|incr`: block-level copies of what changed since the set it builds on, the way
 * the field takes incremental backups (a logical dump has no "since"). Progress comes from pgBackRest's own per-file
 * lines; the new set is identified by comparing the stanza's sets before and after.
 */
export async function takePhysicalBackup(
  options: PhysicalBackupOptions,
  ctx: OperationContext,
): Promise<PhysicalBackupResult> {
  const target = { stanza: options.stanza, configPath: options.configPath };
  const before = await readStanza(target, { signal: ctx.signal });
  if (before.busy)
    throw new PhysicalBackupFailed(`Another backup of stanza ${printable(options.stanza)} is running.`, {
      hint: 'Wait for it to finish (pgbackrest info shows it); the schedule spaces the jobs so they do not overlap.',
    });
  const known = new Set(before.sets.map((s) => s.label));
  const base = options.type === 'full' ? undefined : before.sets.filter((s) => s.current && !s.error).at(-1);
  ctx.log.info(
    `Taking a physical ${options.type} backup of stanza ${printable(options.stanza)}${base ? ` (changes since ${base.label})` : ''}`,
  );
  const progress = new BackupProgress((done, total) => ctx.progress({ label: 'backup', done, total, unit: 'bytes' }));
  const started = new Date();
  try {
    await runPgbackrest(target, 'backup', [`--type=${options.type}`], {
      signal: ctx.signal,
      log: ctx.log,
      stderrLevel: 'detail',
      onStderrLine: (line) => progress.read(line),
    });
  } catch (error) {
    if (ctx.signal.aborted)
      throw new Aborted(
        `Physical backup of stanza ${printable(options.stanza)} interrupted; pgBackRest resumes or removes the partial set on its next backup.`,
      );
    const said = error instanceof ProcessFailed ? lastError(error.stderr) : String(error);
    throw new PhysicalBackupFailed(`pgbackrest backup (${options.type}) failed: ${said}`, {
      hint: 'Nothing was added to the stanza. Check WAL archiving (pgdr doctor, pgbackrest check) and the repository, then run it again.',
      cause: error,
    });
  }
  const finished = new Date();
  const after = await readStanza(target, { signal: ctx.signal });
  const set = after.sets.filter((s) => !known.has(s.label)).at(-1);
  if (!set)
    throw new PhysicalBackupFailed(
      `pgbackrest backup finished but stanza ${printable(options.stanza)} shows no new set.`,
      {
        hint: 'Run pgbackrest info and look at its log; an expire with a retention of 0 would remove the set it just took.',
      },
    );
  if (set.type !== options.type)
    ctx.log.warn(`pgBackRest took a ${set.type} backup instead of ${options.type}: the stanza had no set to build on.`);
  return {
    stanza: options.stanza,
    label: set.label,
    type: set.type,
    requested: options.type,
    ...(set.prior ? { prior: set.prior } : {}),
    reference: set.reference,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    databaseBytes: set.databaseBytes,
    deltaBytes: set.deltaBytes,
    repoDeltaBytes: set.repoDeltaBytes,
    ...(set.walStart ? { walStart: set.walStart } : {}),
    ...(set.walStop ? { walStop: set.walStop } : {}),
  };
}

/** pgBackRest's own error line ("ERROR: [082]: …"), else the last line it printed. */
function lastError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const line = lines.filter((l) => /\bERROR:/.test(l)).at(-1) ?? lines.at(-1) ?? '';
  return printable(line.replace(/^.*?ERROR:\s*/, '').trim());
}
