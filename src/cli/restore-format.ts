import chalk from 'chalk';
import type { DbTarget } from '../pg/connection.js';
import type { RestoreResult } from '../restore/index.js';
import { printable } from '../core/printable.js';
import { predictionBasis, predictionLines } from '../restore/restore-prediction.js';
import { PHASE_TITLES, RESTORE_PHASES } from '../restore/restore-phases.js';
import { formatDuration } from '../core/duration.js';
import type { NewClusterPlan } from '../restore/new-cluster/plan.js';
import type { PlanStep } from '../restore/types.js';
import type { NewClusterResult } from '../restore/new-cluster/restore-new-cluster.js';

/** A plan's steps as a dry run lists them: number and title, then the command and the detail, indented. */
function stepLines(steps: readonly PlanStep[]): string[] {
  return steps.flatMap((s, i) => [
    `${i + 1}. ${s.title}`,
    ...(s.command ? [`   $ ${s.command}`] : []),
    ...(s.detail ? [`   ${s.detail}`] : []),
  ]);
}

/**
 * What `pgdr restore --dry-run` prints: each step and its command, then what it creates, drops and overwrites, and
 * each phase's expected duration. Names come from the backup and the server (a session's application name is
 * whatever its client said): printable only.
 */
export function planText(plan: RestoreResult['plan'], prediction?: RestoreResult['prediction']): string {
  const lines = [
    `Dry run: restore ${plan.backup.id} (${plan.what}) into ${plan.database} (${plan.mode}); nothing was changed.`,
  ];
  lines.push(...stepLines(plan.steps));
  lines.push(
    `creates:    ${plan.creates.join('; ') || 'nothing'}`,
    `drops:      ${plan.drops.join('; ') || 'nothing'}`,
    `overwrites: ${plan.overwrites.join('; ') || 'nothing'}`,
  );
  if (plan.sessions.length)
    lines.push(
      `terminates: ${plan.sessions.map((s) => `pid ${s.pid} (${s.user}, ${s.application || '-'})`).join(', ')}`,
    );
  if (prediction) lines.push(...predictionLines(prediction));
  return lines.map(printable).join('\n') + '\n';
}

/** What a finished restore prints: where it went, every table's counts, the database settings, the warnings. */
export function summaryText(r: RestoreResult, target: DbTarget): string {
  const p = printable;
  const mark = r.ok ? chalk.green('✔') : chalk.red('✘');
  const lines = [
    `${mark} Restored ${chalk.bold(p(r.backupId))} into ${chalk.bold(p(r.database))} (${r.what}, ${r.mode}) in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  recovery point  ${p(r.recoveryPoint)}`,
  ];
  if (r.safetySnapshotId) lines.push(`  safety snapshot ${p(r.safetySnapshotId)}`);
  if (r.prediction && r.timing) lines.push(`  time            ${timeAgainstPrediction(r.timing, r.prediction)}`);
  if (r.connectionBlock)
    lines.push(
      `  connections     ${r.terminatedSessions ?? 0} ended; held off with ${p(r.connectionBlock)}, allowed again`,
    );
  if (r.rows)
    lines.push(
      `  rows            ${r.rows.matched} matched in the backup: ${r.rows.inserted} came back, ${r.rows.skipped} skipped (already there), ${r.rows.overwritten} overwritten`,
    );
  if (r.tables.length) {
    const names = r.tables.map((t) => p(t.table));
    const width = Math.max(5, ...names.map((name) => name.length));
    lines.push('', `  ${'table'.padEnd(width)}  ${'backup'.padStart(10)}  ${'restored'.padStart(10)}`);
    for (const [i, t] of r.tables.entries())
      lines.push(
        `  ${names[i]!.padEnd(width)}  ${String(t.expected).padStart(10)}  ${String(t.actual ?? 'missing').padStart(10)}  ${t.ok ? 'ok' : chalk.red('MISMATCH')}`,
      );
    const fromStatistics = r.tables.filter((t) => t.countedBy === 'statistics').length;
    lines.push(
      '',
      r.ok
        ? `  ${r.tables.length} table(s), every row count matches the backup.`
        : chalk.red(`  ${r.mismatches} of ${r.tables.length} table(s) differ from the backup's row counts.`),
    );
    if (fromStatistics)
      lines.push(
        `  ${fromStatistics} counted by the statistics counters of the new database (rows inserted and live as the backup's, none changed or dead), the others with count(*).`,
      );
  }
  const db = r.databaseSettings;
  if (db?.applied && db.statements.length)
    lines.push(
      `  database        the source's settings, privileges and owner (${db.statements.length} statement(s)) and comment`,
    );
  if (db && !db.applied && db.statements.length)
    lines.push(
      `  database        ${p(r.database)} keeps its own settings; the backup's, not applied in place:`,
      ...db.statements.map((s) => `                    ${p(s)}`),
    );
  for (const w of r.warnings) lines.push(`${chalk.yellow('warning:')} ${p(w)}`);
  if (r.mode === 'new-db' && r.ok)
    lines.push(`  connect: ${target.display.replace(/\/[^/]*$/, `/${encodeURIComponent(r.database)}`)}`);
  return lines.join('\n') + '\n';
}

/** Each phase as it went against its prediction: "stage 3.1s (predicted 2.8s), …; predicted 11.0s based on 5 past restores". */
function timeAgainstPrediction(
  timing: NonNullable<RestoreResult['timing']>,
  prediction: NonNullable<RestoreResult['prediction']>,
): string {
  const phases = RESTORE_PHASES.map(
    (p) => `${PHASE_TITLES[p]} ${formatDuration(timing.phases[p])} (predicted ${formatDuration(prediction.phases[p])})`,
  );
  return `${phases.join(', ')}; predicted ${formatDuration(prediction.totalMs)} in all (${predictionBasis(prediction)})`;
}

/** `restore --new-cluster --dry-run`: each step, then every setting during the load and after it. */
export function newClusterPlanText(plan: NewClusterPlan): string {
  const lines = [
    `Dry run: restore ${plan.backup.id} (${plan.backup.database}, PostgreSQL ${plan.backup.serverMajor}) into a new PostgreSQL ${plan.major} cluster in ${plan.dataDir}, port ${plan.port}; nothing was changed.`,
  ];
  lines.push(...stepLines(plan.steps));
  const width = Math.max(...plan.settings.map((s) => s.name.length));
  const load = Math.max(12, ...plan.settings.map((s) => s.load.length));
  lines.push(
    '',
    `Settings (during the load: command-line options of the server pgdr starts, never on disk; after: postgresql.conf${plan.template ? `, from ${plan.template}` : ''}):`,
    `  ${'setting'.padEnd(width)}  ${'during load'.padEnd(load)}  after`,
  );
  for (const s of plan.settings)
    lines.push(
      `  ${s.name.padEnd(width)}  ${s.load.padEnd(load)}  ${(s.after ?? (s.name === 'hba_file' ? 'pg_hba.conf in the data directory' : 'from the template')).padEnd(12)}  ${s.why}`,
    );
  // The superuser's name and the template's path come from the operator's config: printable only.
  const shown = lines.map(printable);
  if (!plan.tiedToPgdr)
    shown.push(
      `${chalk.yellow('warning:')} setpriv (util-linux) was not found: if pgdr is killed, the load's server keeps running until stopped (no TCP, private socket), and ${printable(plan.dataDir)} stays marked unusable.`,
    );
  return shown.join('\n') + '\n';
}

/** What a finished `restore --new-cluster` prints: the phases, the settings in force, the row counts, how to connect. */
export function newClusterText(r: NewClusterResult): string {
  const { plan } = r;
  const mark = r.ok ? chalk.green('✔') : chalk.red('✘');
  const lines = [
    `${mark} Restored ${chalk.bold(plan.backup.id)} into a new PostgreSQL ${plan.major} cluster in ${chalk.bold(plan.dataDir)}, database ${chalk.bold(printable(plan.database))}, in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  recovery point  ${plan.backup.snapshotTime}`,
    ...r.phases.map((p) => `  ${(p.ms / 1000).toFixed(1).padStart(7)} s  ${p.phase}`),
    `  in force now    ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    r.ok
      ? `  ${r.tables.length} table(s), every row count matches the backup (counted during the load and again after the restart).`
      : chalk.red(`  ${r.mismatches} of ${r.tables.length} table(s) differ from the backup's row counts.`),
  ];
  for (const w of r.restore?.warnings ?? []) lines.push(`${chalk.yellow('warning:')} ${printable(w)}`);
  lines.push('  connect:', ...r.connect.map((c) => `    ${c}`));
  return lines.join('\n') + '\n';
}
