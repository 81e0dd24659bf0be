import type { Command } from 'commander';
import chalk from 'chalk';
import { printable, printableLines } from '../core/printable.js';
import { resolve } from 'node:path';
import { appendAudit } from '../audit/audit-log.js';
import { loadConfig } from '../config/load.js';
import { notify } from '../notify/notify.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { writePrometheusFile } from '../doctor/prometheus.js';
import type { DoctorReport, Finding } from '../doctor/finding.js';
import { addRepoOptions, addTargetOptions, type CommonOptions } from './context.js';
import { printJson, stderrLogger } from './output.js';

interface DoctorFlags extends CommonOptions {
  prometheus?: string;
  notify?: boolean;
}

const MARK = { ok: chalk.green('✔'), warning: chalk.yellow('!'), critical: chalk.red('✖') };

export function registerDoctorCommand(program: Command): void {
  addRepoOptions(addTargetOptions(program.command('doctor')))
    .description(
      'Check that backups will save you: tools, targets, repository, free space, backup age and size, verification, keys. Exit 0 ok, 1 warning, 2 critical.',
    )
    .option('--json', 'print the findings as JSON')
    .option('--prometheus <file>', 'also write node_exporter textfile metrics to this file')
    .option('--no-notify', 'do not send doctor.critical notifications')
    .action(async (flags: DoctorFlags) => {
      const started = performance.now();
      const report = await runDoctor({
        configPath: flags.config,
        db: flags.db,
        profile: flags.profile,
        repo: flags.repo,
        s3Endpoint: flags.s3Endpoint,
      });
      if (flags.prometheus) await writePrometheusFile(resolve(flags.prometheus), report);
      if (flags.json) printJson(report);
      else process.stdout.write(renderText(report));
      if (report.status === 'critical' && flags.notify !== false) await notifyCritical(report, flags.config);
      await appendAudit({
        command: 'doctor',
        result: report.status === 'critical' ? 'failed' : report.status,
        durationMs: Math.round(performance.now() - started),
        details: { critical: count(report, 'critical'), warnings: count(report, 'warning') },
      }).catch(() => {});
      process.exitCode = report.exitCode;
    });
}

const count = (r: DoctorReport, s: Finding['severity']) => r.findings.filter((f) => f.severity === s).length;

function renderText(report: DoctorReport): string {
  const lines = report.findings.map((f) => {
    const head = `${MARK[f.severity]} ${f.subject ? `${chalk.bold(printable(f.subject))}: ` : ''}${printableLines(f.message)}`;
    return f.action ? `${head}\n    ${chalk.dim('→')} ${printableLines(f.action)}` : head;
  });
  const verdict =
    report.status === 'ok'
      ? chalk.green('All checks passed.')
      : report.status === 'warning'
        ? chalk.yellow(`${count(report, 'warning')} warning(s); nothing critical.`)
        : chalk.red(
            `${count(report, 'critical')} critical problem(s), ${count(report, 'warning')} warning(s): backups are at risk.`,
          );
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

async function notifyCritical(report: DoctorReport, configPath: string | undefined): Promise<void> {
  const loaded = await loadConfig({ configPath }).catch(() => undefined);
  if (!loaded) return;
  const critical = report.findings.filter((f) => f.severity === 'critical');
  const details: Record<string, string> = {};
  critical
    .slice(0, 8)
    .forEach((f, i) => (details[`${i + 1}. ${f.subject ?? f.check}`] = `${f.message} → ${f.action ?? ''}`));
  await notify(
    loaded.config,
    {
      type: 'doctor.critical',
      severity: 'critical',
      title: `pgdr doctor: ${critical.length} critical problem(s)`,
      details,
    },
    { log: stderrLogger() },
  );
}
