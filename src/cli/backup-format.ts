import chalk from 'chalk';
import type { Catalog, PruneResult, VerificationResult } from '../backup/index.js';
import { formatBytes } from '../backup/take-backup.js';
import { printable } from '../core/printable.js';
import type { BackupLock } from '../backup/locks.js';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => stripAnsi(r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c + ' '.repeat(widths[i]! - stripAnsi(c).length))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

export function backupsTable(catalog: Catalog, locks: Map<string, BackupLock> = new Map()): string {
  if (catalog.backups.length === 0) {
    return 'No complete backups in this repository. Take one with: pgdr backup\n' + incompleteNote(catalog);
  }
  // The storage class and lock columns appear once some backup has one.
  const classes = catalog.backups.some((b) => b.storageClass && b.storageClass !== 'STANDARD');
  const locked = locks.size > 0;
  const rows = [
    [
      'ID',
      'KIND',
      'DATABASE',
      'SNAPSHOT (UTC)',
      'SIZE',
      'ENCRYPTED',
      'VERIFIED',
      ...(classes ? ['CLASS'] : []),
      ...(locked ? ['LOCKED'] : []),
    ].map((h) => chalk.bold(h)),
  ];
  for (const { manifest: m, verification: v, storageClass } of catalog.backups) {
    const verified = !v
      ? chalk.dim('never')
      : v.ok
        ? chalk.green(`ok ${v.verifiedAt.slice(0, 16).replace('T', ' ')}${v.restoreTest ? ' (restored)' : ''}`)
        : chalk.red(`FAILED ${v.verifiedAt.slice(0, 10)}`);
    rows.push([
      m.id,
      m.kind,
      printable(m.database),
      m.snapshotTime.slice(0, 19).replace('T', ' '),
      formatBytes(m.bytes),
      m.encryption ? 'age' : chalk.yellow('no'),
      verified,
      ...(classes ? [storageClass ?? 'STANDARD'] : []),
      ...(locked ? [lockCell(locks.get(m.id))] : []),
    ]);
  }
  return table(rows) + incompleteNote(catalog);
}

function lockCell(lock: BackupLock | undefined): string {
  if (!lock) return chalk.dim('no');
  const until = lock.until ? `until ${lock.until.toISOString().slice(0, 10)}` : 'no end date';
  const mode = lock.mode === 'immutable' ? 'chattr +i' : lock.mode;
  return `${until} (${mode}${lock.whole ? '' : ', partly'})`;
}

function incompleteNote(catalog: Catalog): string {
  return catalog.incomplete.length
    ? chalk.dim(
        `(${catalog.incomplete.length} unfinished backup director${catalog.incomplete.length === 1 ? 'y' : 'ies'} without a manifest not shown: failed or still running; pgdr prune removes them after a day)\n`,
      )
    : '';
}

export function verificationLines(r: VerificationResult): string[] {
  const mark = (ok: boolean) => (ok ? chalk.green('✔') : chalk.red('✘'));
  const lines = [`${mark(r.ok)} Backup ${chalk.bold(r.backupId)} ${r.ok ? 'verified' : 'FAILED verification'}`];
  lines.push(`  ${mark(r.checksum === 'ok')} checksums ${r.checksum}`);
  if (r.decrypted !== undefined) lines.push(`  ${mark(r.decrypted)} decryption`);
  if (r.restoreTest) {
    const t = r.restoreTest;
    lines.push(
      `  ${mark(t.mismatches.length === 0)} restore test: ${t.tablesChecked - t.mismatches.length}/${t.tablesChecked} tables with the manifest's row counts (${(t.durationMs / 1000).toFixed(1)} s)`,
    );
    lines.push(
      `    ${t.objects.indexes} indexes, ${t.objects.policies} RLS policies, ${t.objects.functions} functions, ${t.objects.triggers} triggers, ${t.objects.views} views; extensions: ${t.objects.extensions.join(', ') || 'none'}`,
    );
  }
  for (const e of r.errors) lines.push(`  ${chalk.red('error:')} ${printable(e)}`);
  return lines;
}

export function pruneTable(result: PruneResult, dryRun: boolean): string {
  const kept = result.damaged.length
    ? `Kept ${result.damaged.length} damaged backup director${result.damaged.length === 1 ? 'y' : 'ies'} as found (named above); prune never removes what it cannot check.\n`
    : '';
  if (result.decisions.length === 0) return 'No backups in this repository.\n' + kept;
  const rows = [['ID', 'SNAPSHOT (UTC)', 'SIZE', 'DECISION', 'WHY'].map((h) => chalk.bold(h))];
  for (const d of result.decisions) {
    rows.push([
      d.id,
      d.snapshotTime.slice(0, 16).replace('T', ' '),
      formatBytes(d.bytes),
      d.keep ? chalk.green('keep') : chalk.red(dryRun ? 'would remove' : 'removed'),
      d.reasons.join(', '),
    ]);
  }
  const verb = dryRun ? 'Would remove' : 'Removed';
  const tail = `${verb} ${result.removed.length} backup(s), ${formatBytes(result.freedBytes)}${result.removedIncomplete.length ? `, and ${result.removedIncomplete.length} unfinished backup director${result.removedIncomplete.length === 1 ? 'y' : 'ies'}` : ''}.${dryRun ? ' Nothing was changed (--dry-run).' : ''}\n`;
  const locked = result.locked.length
    ? `Kept ${result.locked.length} locked backup(s) the policy would remove; each says until when above.\n`
    : '';
  const moved = result.moved.length
    ? `${dryRun ? 'Would move' : 'Moved'} ${result.moved.length} backup(s) to a colder storage class: ${result.moved.map((m) => `${m.id} ${m.from} → ${m.to}`).join(', ')}.\n`
    : '';
  return table(rows) + tail + locked + moved + kept;
}
