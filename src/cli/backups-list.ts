import chalk from 'chalk';
import type { Catalog } from '../backup/index.js';
import type { StanzaInfo } from '../backup/physical/index.js';
import type { BackupLock } from '../backup/locks.js';
import { formatBytes } from '../core/format-bytes.js';
import type { Repository } from '../storage/index.js';
import { backupsTable, table } from './backup-format.js';
import type { PhysicalFlags } from './backup-physical.js';
import { cliConfig, cliRepository } from './context.js';
import { printJson, stderrLogger } from './output.js';

/** `pgdr backups list`: the repository's logical backups and, when a stanza is known, pgBackRest's physical sets. */
export async function listAll(flags: PhysicalFlags): Promise<void> {
  const loaded = await cliConfig(flags);
  const log = stderrLogger();
  const stanza = flags.pgbackrestStanza ?? loaded.config.pgbackrest?.stanza;
  let repo: Repository | undefined;
  try {
    repo = cliRepository(loaded, flags);
  } catch (error) {
    if (!stanza) throw error;
  }
  let catalog: Catalog | undefined;
  let locks = new Map<string, BackupLock>();
  if (repo) {
    const { listBackups } = await import('../backup/index.js');
    const { backupLocks } = await import('../backup/locks.js');
    catalog = await listBackups(repo);
    for (const line of catalog.warnings) log.warn(line);
    locks = await backupLocks(repo, catalog.backups);
  }
  let physical: StanzaInfo | undefined;
  if (stanza) {
    const { readStanza } = await import('../backup/physical/index.js');
    const configPath =
      flags.pgbackrestConfig ??
      (stanza === loaded.config.pgbackrest?.stanza ? loaded.config.pgbackrest.configPath : undefined) ??
      process.env.PGBACKREST_CONFIG;
    try {
      physical = await readStanza({ stanza, configPath });
    } catch (error) {
      // The logical backups are still worth seeing when pgBackRest cannot answer.
      if (!catalog) throw error;
      log.warn((error as Error).message);
    }
  }
  if (flags.json) {
    printJson([
      ...(catalog?.backups ?? []).map((b) => {
        const lock = locks.get(b.manifest.id);
        return {
          ...b.manifest,
          verification: b.verification ?? null,
          ...(b.storageClass ? { storageClass: b.storageClass } : {}),
          locked: lock ? { mode: lock.mode, until: lock.until?.toISOString() ?? null, whole: lock.whole } : null,
        };
      }),
      ...(physical?.sets ?? []).map((s) => ({ id: s.label, kind: 'physical', stanza: physical!.stanza, ...s })),
    ]);
    return;
  }
  if (catalog) process.stdout.write(backupsTable(catalog, locks));
  if (physical) process.stdout.write((catalog ? '\n' : '') + physicalTable(physical));
}

export function physicalTable(info: StanzaInfo): string {
  const title = chalk.bold(`Physical backups (pgBackRest stanza ${info.stanza}, ${info.status.message})`);
  if (info.sets.length === 0)
    return `${title}\nNo backup sets yet. Take one with: pgdr backup full --pgbackrest-stanza ${info.stanza}\n`;
  const rows = [['LABEL', 'TYPE', 'BASED ON', 'FINISHED (UTC)', 'SIZE', 'STORED', 'WAL'].map((h) => chalk.bold(h))];
  for (const s of info.sets) {
    rows.push([
      s.label,
      `${s.type}${s.error ? chalk.red(' (page errors)') : ''}${s.current ? '' : chalk.dim(' (earlier cluster)')}`,
      s.prior ?? '-',
      s.stop.toISOString().slice(0, 19).replace('T', ' '),
      formatBytes(s.databaseBytes),
      formatBytes(s.repoDeltaBytes),
      s.walStart && s.walStop ? `${s.walStart} … ${s.walStop}` : '-',
    ]);
  }
  const wal = info.archive ? `WAL archived ${info.archive.min} … ${info.archive.max}` : 'no WAL archived yet';
  return `${title}\n${table(rows)}${chalk.dim(`${wal}; a restore replays it after the set (pgdr restore --pitr).`)}\n`;
}
