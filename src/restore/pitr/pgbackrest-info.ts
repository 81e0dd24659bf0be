import type { PgbackrestTarget } from '../../backup/physical/pgbackrest-command.js';
import { readStanza, restorableSets, StanzaUnavailable } from '../../backup/physical/stanza-info.js';
import { lastArchivedCommit, type ArchivedCommit } from './wal-commit-time.js';
import type { RecoveryWindow } from './window.js';

export interface PgbackrestBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  /** The set it builds on (diff, incr); a restore reads that chain too. */
  prior?: string;
  start: Date;
  /** When the backup finished: the earliest time a restore of it can be consistent. */
  stop: Date;
  /** stop + 1 s: pgBackRest records whole seconds, and a target before the consistency point fails recovery. */
  consistentAt: Date;
  archiveStart: string;
  archiveStop: string;
}

export interface PgbackrestInfo {
  stanza: string;
  status: { code: number; message: string };
  pgMajor: number | undefined;
  backups: PgbackrestBackup[];
  archive: { id: string; min: string; max: string } | undefined;
  lastCommit: ArchivedCommit | undefined;
  /** Undefined when there is no backup yet. */
  window: RecoveryWindow | undefined;
}

export { StanzaUnavailable };

/**
 * Reads `pgbackrest info --output=json` (checked in backup/physical) and works out the recoverable window:
 * earliest = the first (oldest) backup's stop time (+1 s), the first moment its restore is consistent;
 * latest = the newest transaction end in the archived WAL (see wal-commit-time.ts for why not "now").
 */
export async function pgbackrestInfo(
  stanzaOrTarget: string | PgbackrestTarget,
  options: { signal?: AbortSignal } = {},
): Promise<PgbackrestInfo> {
  const target = typeof stanzaOrTarget === 'string' ? { stanza: stanzaOrTarget } : stanzaOrTarget;
  const stanza = await readStanza(target, options);
  const { pgMajor, archive } = stanza;
  const backups = restorableSets(stanza).map((b) => ({
    label: b.label,
    type: b.type,
    ...(b.prior ? { prior: b.prior } : {}),
    start: b.start,
    stop: b.stop,
    consistentAt: new Date(b.stop.getTime() + 1000),
    archiveStart: b.walStart!,
    archiveStop: b.walStop!,
  }));
  const first = backups[0];
  let lastCommit: ArchivedCommit | undefined;
  if (first && archive && pgMajor) {
    lastCommit = await lastArchivedCommit(
      target,
      { id: archive.id, max: archive.max, oldest: first.archiveStart, pgMajor },
      options,
    );
  }
  const window: RecoveryWindow | undefined = first
    ? {
        earliest: first.consistentAt,
        latest: lastCommit && lastCommit.time.getTime() > first.consistentAt.getTime() ? lastCommit.time : undefined,
        latestSource: lastCommit
          ? `the last transaction in archived WAL segment ${lastCommit.segment} (${lastCommit.raw})`
          : 'archived WAL (no transaction found after the first backup)',
      }
    : undefined;
  return { stanza: target.stanza, status: stanza.status, pgMajor, backups, archive, lastCommit, window };
}

/** The backup a restore to `target` starts from: the newest one that finished before it. */
export function backupFor(info: PgbackrestInfo, target: Date): PgbackrestBackup | undefined {
  return info.backups.filter((b) => b.consistentAt.getTime() <= target.getTime()).at(-1);
}
