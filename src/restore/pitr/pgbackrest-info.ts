import { PgdrError } from '../../core/errors.js';
import { ProcessFailed } from '../../core/system.js';
import { runPgbackrest, type PgbackrestTarget } from './pgbackrest-command.js';
import { lastArchivedCommit, type ArchivedCommit } from './wal-commit-time.js';
import type { RecoveryWindow } from './window.js';

export interface PgbackrestBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
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

export class StanzaUnavailable extends PgdrError {}

interface InfoJson {
  name: string;
  status: { code: number; message: string };
  db?: { version: string; id: number }[];
  archive?: { id: string; min: string | null; max: string | null; database: { id: number } }[];
  backup?: {
    label: string;
    type: 'full' | 'diff' | 'incr';
    error?: boolean;
    timestamp: { start: number; stop: number };
    archive: { start: string | null; stop: string | null };
    database: { id: number };
  }[];
}

/**
 * Reads `pgbackrest info --output=json` and works out the recoverable window:
 * earliest = the first (oldest) backup's stop time (+1 s), the first moment its restore is consistent;
 * latest = the newest transaction end in the archived WAL (see wal-commit-time.ts for why not "now").
 */
export async function pgbackrestInfo(
  stanzaOrTarget: string | PgbackrestTarget,
  options: { signal?: AbortSignal } = {},
): Promise<PgbackrestInfo> {
  const target = typeof stanzaOrTarget === 'string' ? { stanza: stanzaOrTarget } : stanzaOrTarget;
  let text: string;
  try {
    text = await runPgbackrest(target, 'info', ['--output=json'], options);
  } catch (error) {
    throw new StanzaUnavailable(
      `pgbackrest info for stanza "${target.stanza}" failed: ${error instanceof ProcessFailed ? error.stderr.trim().split('\n').at(-1) : String(error)}`,
      {
        hint: `Check the stanza name and the pgBackRest configuration${target.configPath ? ` (${target.configPath})` : ''}; pgdr pitr setup --write creates it.`,
        cause: error,
      },
    );
  }
  const stanza = (JSON.parse(text) as InfoJson[]).find((s) => s.name === target.stanza);
  if (!stanza)
    throw new StanzaUnavailable(`pgBackRest knows no stanza "${target.stanza}".`, {
      hint: 'List them with: pgbackrest info',
    });
  if (stanza.status.code !== 0 && stanza.status.code !== 2) {
    throw new StanzaUnavailable(
      `pgBackRest stanza "${target.stanza}" is not usable: ${stanza.status.message} (code ${stanza.status.code}).`,
      {
        hint: 'Run pgdr pitr setup --write (stanza-create + check), then take a full backup.',
      },
    );
  }
  const currentDb = stanza.db?.at(-1);
  const pgMajor = currentDb ? Number(currentDb.version) : undefined;
  const archiveJson = stanza.archive?.find((a) => a.database.id === currentDb?.id && a.min && a.max);
  const archive = archiveJson ? { id: archiveJson.id, min: archiveJson.min!, max: archiveJson.max! } : undefined;
  const backups = (stanza.backup ?? [])
    .filter((b) => !b.error && b.database.id === currentDb?.id && b.archive.start && b.archive.stop)
    .map((b) => ({
      label: b.label,
      type: b.type,
      start: new Date(b.timestamp.start * 1000),
      stop: new Date(b.timestamp.stop * 1000),
      consistentAt: new Date((b.timestamp.stop + 1) * 1000),
      archiveStart: b.archive.start!,
      archiveStop: b.archive.stop!,
    }))
    .sort((a, b) => a.stop.getTime() - b.stop.getTime());
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
