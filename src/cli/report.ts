import type { Command } from 'commander';
import { join } from 'node:path';
import { readJournal } from '../runbook/journal.js';
import { writeRunReports } from '../report/write.js';
import { runsDirOf } from './runs-dir.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('Render the report of a run again (report.md, report.json, report.html) from its journal.')
    .argument('<run-id>', 'the run (see pgdr runs list)')
    .option('--runs-dir <dir>', 'where runs are (default ./pgdr-runs, or PGDR_RUNS_DIR)')
    .action((runId: string, flags: { runsDir?: string }) => {
      const runDir = join(runsDirOf(flags), runId);
      for (const path of writeRunReports(runDir, readJournal(runDir))) process.stdout.write(`${path}\n`);
    });
}
