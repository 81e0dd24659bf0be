import type { Catalog, CatalogEntry } from '../backup/index.js';
import { formatBytes } from '../backup/index.js';
import { isBackupOf } from '../backup/backup-id.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { PgdrConfig } from '../config/schema.js';
import { age, HOUR } from './age.js';
import { critical, ok, warning, type Finding, type Metric } from './finding.js';

/** Per database: is there a recent full backup, did the last attempt fail, is it verified, did its size jump? */
export function checkBackups(
  databases: string[],
  catalog: Catalog,
  thresholds: PgdrConfig['thresholds'],
  audit: AuditEntry[],
  now: Date,
  metrics: Metric[],
): Finding[] {
  const findings: Finding[] = [];
  for (const db of databases) {
    const full = catalog.backups.filter((b) => b.manifest.database === db && b.manifest.kind === 'full');
    const newest = full.at(-1);
    const subject = `database ${db}`;
    if (!newest) {
      findings.push(
        critical(
          'backup.age',
          'no complete full backup in the repository',
          'Take one now with pgdr backup, then install the schedule: pgdr schedule --cron (or --systemd).',
          subject,
        ),
      );
      findings.push(...failedAttempts(db, undefined, catalog, audit));
      continue;
    }
    const finished = new Date(newest.manifest.finishedAt);
    const ageMs = now.getTime() - finished.getTime();
    const labels = { database: db };
    metrics.push({
      name: 'pgdr_backup_last_success_timestamp_seconds',
      help: 'When the newest complete full backup finished.',
      type: 'gauge',
      labels,
      value: Math.floor(finished.getTime() / 1000),
    });
    metrics.push({
      name: 'pgdr_backup_last_size_bytes',
      help: 'Stored size of the newest full backup.',
      type: 'gauge',
      labels,
      value: newest.manifest.bytes,
    });
    if (ageMs > thresholds.maxBackupAgeHours * HOUR) {
      findings.push(
        critical(
          'backup.age',
          `the newest full backup (${newest.manifest.id}) is ${age(ageMs)} old, over the ${thresholds.maxBackupAgeHours} h limit`,
          'Scheduled backups are not running or are failing: check the log (/var/log/pgdr.log or journalctl -u pgdr-full), run pgdr backup by hand, and see pgdr audit --since 2d.',
          subject,
        ),
      );
    } else {
      findings.push(ok('backup.age', `newest full backup ${newest.manifest.id} is ${age(ageMs)} old`, subject));
    }
    findings.push(...failedAttempts(db, newest, catalog, audit));
    findings.push(checkVerification(full, thresholds, now, subject, labels, metrics));
    const previous = full.at(-2);
    if (previous && previous.manifest.bytes > 0) {
      const change = ((newest.manifest.bytes - previous.manifest.bytes) / previous.manifest.bytes) * 100;
      const text = `${formatBytes(newest.manifest.bytes)}, ${change >= 0 ? '+' : ''}${change.toFixed(0)}% against the previous backup (${formatBytes(previous.manifest.bytes)})`;
      findings.push(
        Math.abs(change) > thresholds.sizeChangePct
          ? warning(
              'backup.size',
              `the newest backup is ${text}`,
              'A jump this size is worth a look: compare row counts (pgdr backups list --json) for a mass delete, a runaway table or a change in what is dumped.',
              subject,
            )
          : ok('backup.size', text, subject),
      );
    }
  }
  return findings;
}

function checkVerification(
  full: CatalogEntry[],
  thresholds: PgdrConfig['thresholds'],
  now: Date,
  subject: string,
  labels: Record<string, string>,
  metrics: Metric[],
): Finding {
  const verified = full
    .filter((b) => b.verification)
    .sort((a, b) => a.verification!.verifiedAt.localeCompare(b.verification!.verifiedAt));
  const last = verified.at(-1)?.verification;
  if (!last)
    return warning(
      'verify.age',
      'no backup has been verified',
      'Run pgdr backup verify latest --restore-test, and keep the weekly verify job in the schedule.',
      subject,
    );
  metrics.push({
    name: 'pgdr_verify_last_timestamp_seconds',
    help: 'When the newest verification ran.',
    type: 'gauge',
    labels,
    value: Math.floor(new Date(last.verifiedAt).getTime() / 1000),
  });
  metrics.push({
    name: 'pgdr_verify_last_ok',
    help: 'Whether the newest verification passed (1) or failed (0).',
    type: 'gauge',
    labels,
    value: last.ok ? 1 : 0,
  });
  if (!last.ok) {
    return critical(
      'verify.failed',
      `the newest verification (${last.backupId}, ${last.verifiedAt}) failed: ${last.errors.slice(0, 2).join('; ') || 'see its report'}`,
      'Backups may not restore. Read pgdr backup verify ' +
        last.backupId +
        ' --restore-test, take a fresh backup and verify it.',
      subject,
    );
  }
  const ageMs = now.getTime() - new Date(last.verifiedAt).getTime();
  if (ageMs > thresholds.maxVerifyAgeDays * 24 * HOUR) {
    return warning(
      'verify.age',
      `the newest verification is ${age(ageMs)} old (limit ${thresholds.maxVerifyAgeDays} days)`,
      'Run pgdr backup verify latest --restore-test; check the weekly verify job is installed (pgdr schedule).',
      subject,
    );
  }
  return ok(
    'verify.age',
    `verified ${age(ageMs)} ago (${last.backupId}${last.restoreTest ? ', with a test restore' : ''})`,
    subject,
  );
}

/** A backup that failed after the newest good one: from the audit log, or a directory left without a manifest. */
function failedAttempts(
  db: string,
  newest: CatalogEntry | undefined,
  catalog: Catalog,
  audit: AuditEntry[],
): Finding[] {
  const since = newest ? new Date(newest.manifest.startedAt).getTime() : 0;
  const failed = audit
    .filter(
      (e) =>
        e.command === 'backup' &&
        e.result === 'failed' &&
        new Date(e.at).getTime() > since &&
        (!e.target || e.target.endsWith(`/${db}`) || e.target === db),
    )
    .at(-1);
  const findings: Finding[] = [];
  if (failed) {
    const error = typeof failed.details?.error === 'string' ? `: ${failed.details.error}` : '';
    findings.push(
      critical(
        'backup.failed',
        `the last backup attempt (${failed.at}, by ${failed.who}) failed${error}`,
        'Fix the cause above and run pgdr backup; pgdr audit --since 2d shows the attempts.',
        `database ${db}`,
      ),
    );
  }
  const leftover = catalog.incomplete.filter((i) => isBackupOf(i.id, db) && (i.startedAt?.getTime() ?? 0) > since);
  if (leftover.length) {
    findings.push(
      warning(
        'backup.incomplete',
        `${leftover.length} unfinished backup director${leftover.length > 1 ? 'ies' : 'y'} newer than the newest good backup (${leftover.map((l) => l.id).join(', ')})`,
        'A backup was interrupted (killed, out of disk, or still running). If none is running, pgdr prune removes the leftovers.',
        `database ${db}`,
      ),
    );
  }
  return findings;
}
