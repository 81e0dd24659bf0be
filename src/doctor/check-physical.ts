import { withClient } from '../pg/client.js';
import { printable } from '../core/printable.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { PgdrConfig } from '../config/schema.js';
import { readStanza } from '../backup/physical/index.js';
import type { DoctorTarget } from './check-targets.js';
import { age, HOUR } from './age.js';
import { critical, ok, warning, type Finding, type Metric } from './finding.js';

/**
 * The physical path: the stanza's newest set against the incremental rhythm (maxIncrementalAgeHours), and a
 * physical backup that failed after it (from the audit log).
 */
export async function checkPhysical(
  config: PgdrConfig,
  audit: AuditEntry[],
  now: Date,
  metrics: Metric[],
): Promise<Finding[]> {
  const stanza = config.pgbackrest?.stanza;
  if (!stanza) return [];
  const subject = `pgBackRest stanza ${stanza}`;
  let sets;
  try {
    sets = (await readStanza({ stanza, configPath: config.pgbackrest?.configPath })).sets.filter(
      (s) => s.current && !s.error,
    );
  } catch (error) {
    return [critical('physical.stanza', (error as Error).message, (error as { hint?: string }).hint ?? '', subject)];
  }
  const newest = sets.at(-1);
  const findings: Finding[] = [];
  if (!newest) {
    findings.push(
      critical(
        'physical.age',
        'the stanza holds no backup set',
        `Take one now: pgdr backup full --pgbackrest-stanza ${stanza}; the schedule adds the nightly full and the incrementals (pgdr schedule).`,
        subject,
      ),
    );
  } else {
    metrics.push({
      name: 'pgdr_physical_backup_last_success_timestamp_seconds',
      help: 'When the newest pgBackRest set (full, diff or incr) finished.',
      type: 'gauge',
      labels: { stanza },
      value: Math.floor(newest.stop.getTime() / 1000),
    });
    const ageMs = now.getTime() - newest.stop.getTime();
    const limit = config.thresholds.maxIncrementalAgeHours;
    findings.push(
      ageMs > limit * HOUR
        ? critical(
            'physical.age',
            `the newest physical backup (${newest.type} ${newest.label}) is ${age(ageMs)} old, over the ${limit} h limit`,
            'The incremental job is not running or failing: check journalctl -u pgdr-incremental (or /var/log/pgdr.log), run pgdr backup incremental by hand, and see pgdr audit --since 1d.',
            subject,
          )
        : ok('physical.age', `newest physical backup ${newest.label} (${newest.type}) is ${age(ageMs)} old`, subject),
    );
  }
  const since = newest?.stop.getTime() ?? 0;
  const failed = audit
    .filter(
      (e) =>
        e.command === 'backup' &&
        e.result === 'failed' &&
        e.target === `pgbackrest:${stanza}` &&
        new Date(e.at).getTime() > since,
    )
    .at(-1);
  if (failed) {
    const error = typeof failed.details?.error === 'string' ? `: ${failed.details.error}` : '';
    findings.push(
      critical(
        'physical.failed',
        `the last physical backup attempt (${failed.at}, by ${failed.who}) failed${error}`,
        'Fix the cause above and run pgdr backup incremental; pgdr audit --since 1d shows the attempts.',
        subject,
      ),
    );
  }
  return findings;
}

interface ArchiverRow {
  mode: string;
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: Date | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: Date | null;
}

/**
 * pg_stat_archiver on each target: a failure after the last success means WAL is piling up in pg_wal and nothing
 * after the last archived segment can be recovered. With a stanza configured, archive_mode off is critical too.
 */
export async function checkArchiving(targets: DoctorTarget[], config: PgdrConfig): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const { label, target, scratch } of targets) {
    if (scratch) continue;
    const subject = `${label} (${target.display})`;
    let row: ArchiverRow;
    try {
      row = await withClient(
        target,
        async (c) =>
          (
            await c.query<ArchiverRow>(
              `select current_setting('archive_mode') as mode, archived_count, last_archived_wal, last_archived_time,
                      failed_count, last_failed_wal, last_failed_time from pg_stat_archiver`,
            )
          ).rows[0]!,
        { applicationName: 'pgdr doctor' },
      );
    } catch {
      continue; // target.reachable already says why it cannot be reached
    }
    if (row.mode === 'off') {
      if (config.pgbackrest?.stanza)
        findings.push(
          critical(
            'wal.archiving',
            'archive_mode is off: no WAL reaches the stanza, so no restore goes past the newest backup set',
            'Run pgdr pitr setup --write (it sets archive_mode, archive_command and wal_level), then restart PostgreSQL.',
            subject,
          ),
        );
      continue;
    }
    const lastOk = row.last_archived_time?.getTime() ?? 0;
    const lastFailed = row.last_failed_time?.getTime() ?? 0;
    if (lastFailed > lastOk) {
      findings.push(
        critical(
          'wal.archiving',
          `WAL archiving is failing: segment ${printable(row.last_failed_wal ?? '?')} failed at ${row.last_failed_time!.toISOString()}${row.last_archived_time ? `, the last success was ${printable(row.last_archived_wal ?? '?')} at ${row.last_archived_time.toISOString()}` : ', and none has ever succeeded'}`,
          'Read the server log for archive_command errors and run pgbackrest check; until it works, WAL piles up in pg_wal and recovery stops at the last archived segment.',
          subject,
        ),
      );
    } else if (!row.last_archived_time) {
      findings.push(
        warning(
          'wal.archiving',
          'archive_mode is on but no WAL segment has been archived yet',
          'Run pgbackrest check (it archives one) or select pg_switch_wal(); after a write.',
          subject,
        ),
      );
    } else {
      findings.push(
        ok(
          'wal.archiving',
          `last WAL segment archived ${printable(row.last_archived_wal ?? '?')} at ${row.last_archived_time.toISOString()}, no failure since`,
          subject,
        ),
      );
    }
  }
  return findings;
}
