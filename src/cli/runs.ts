import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../runbook/journal.js';
import { buildReportModel, type ReportModel } from '../report/model.js';
import { formatDuration } from '../core/duration.js';
import { printJson } from './output.js';
import { UsageError } from '../core/errors.js';
import { attemptAlive } from './run-resume.js';
import { runsDirOf } from './runs-dir.js';

/** Every run under the runs directory, oldest first; unreadable ones are left out. */
export function pastRuns(runsDir: string): ReportModel[] {
  if (!existsSync(runsDir)) return [];
  const models: ReportModel[] = [];
  for (const id of readdirSync(runsDir).sort()) {
    try {
      models.push(buildReportModel(readJournal(join(runsDir, id)), { alive: attemptAlive }));
    } catch {
      // Not a run directory, or a run that never began.
    }
  }
  return models;
}

/** The newest run that stopped before it ended and can go on (suspended, cut off or failed). */
export function latestResumable(runsDir: string): string {
  const run = pastRuns(runsDir)
    .filter((m) => m.resumeCommand)
    .pop();
  if (!run)
    throw new UsageError(
      `No run in ${runsDir} waits to be resumed.`,
      '`pgdr runs list` shows the runs there (--runs-dir for another directory).',
    );
  return run.runId;
}

/** Faster or slower than the previous finished run of the same runbook. */
function trend(model: ReportModel, earlier: ReportModel[]): string {
  const previous = earlier.filter((m) => m.scenario.id === model.scenario.id && m.status === 'passed').pop();
  if (!previous || model.status !== 'passed') return '';
  const delta = model.durationMs - previous.durationMs;
  return delta <= 0 ? `▼ ${formatDuration(-delta)} faster` : `▲ ${formatDuration(delta)} slower`;
}

export function registerRunsCommands(program: Command): void {
  program
    .command('runs')
    .description('Past runs.')
    .command('list')
    .description('Past runs with their RTO and its trend.')
    .option('--runs-dir <dir>', 'where runs are (default ./pgdr-runs, or PGDR_RUNS_DIR)')
    .option('--json', 'print JSON')
    .action((flags: { runsDir?: string; json?: boolean }) => {
      const runs = pastRuns(runsDirOf(flags));
      if (flags.json)
        return printJson(
          runs.map((m, i) => ({
            runId: m.runId,
            runbook: m.scenario.id,
            mode: m.mode,
            status: m.status,
            startedAt: m.startedAt,
            durationMs: m.durationMs,
            rtoMs: m.rto.targetMs,
            rtoMet: m.rto.met,
            trend: trend(m, runs.slice(0, i)),
            resumeCommand: m.resumeCommand,
          })),
        );
      if (runs.length === 0) process.stdout.write('No runs yet.\n');
      runs.forEach((m, i) => {
        const rto = `${m.rto.actual} / ${m.rto.target} ${m.rto.met ? 'met' : 'not met'}`;
        const next = m.status === 'suspended' && m.resumeCommand ? `→ ${m.resumeCommand}` : trend(m, runs.slice(0, i));
        process.stdout.write(
          `${m.runId.padEnd(48)} ${m.mode.padEnd(8)} ${m.status.padEnd(9)} ${rto.padEnd(28)} ${next}\n`,
        );
      });
    });
}
