import type { Command } from 'commander';
import { join } from 'node:path';
import { PgdrError, UsageError } from '../core/errors.js';
import { readJournal } from '../runbook/journal.js';
import { writeRunReports } from '../report/write.js';
import { signRecord, verifyRecord } from '../report/integrity.js';
import { collect } from './output.js';
import { runsDirOf } from './runs-dir.js';

export class RecordChanged extends PgdrError {}

const runsDirOption = ['--runs-dir <dir>', 'where runs are (default ./pgdr-runs, or PGDR_RUNS_DIR)'] as const;

function followUps(pairs: string[] | undefined): { what: string; owner: string }[] {
  return (pairs ?? []).map((pair) => {
    const eq = pair.lastIndexOf('=');
    if (eq < 1 || eq === pair.length - 1)
      throw new UsageError(`--follow-up ${pair} is not what=owner.`, 'Use --follow-up "Shorten the restore=Sam".');
    return { what: pair.slice(0, eq).trim(), owner: pair.slice(eq + 1).trim() };
  });
}

export function registerReportCommand(program: Command): void {
  const report = program
    .command('report')
    .description('The drill record of a run: render it again from its journal (report.md, .json, .html), verify, sign.')
    .argument('[run-id]', 'the run to render again (see pgdr runs list)')
    .option(...runsDirOption)
    .action((runId: string | undefined, flags: { runsDir?: string }) => {
      if (!runId) throw new UsageError('Name the run: pgdr report <run-id>.', '`pgdr runs list` shows them.');
      const runDir = join(runsDirOf(flags), runId);
      for (const path of writeRunReports(runDir, readJournal(runDir))) process.stdout.write(`${path}\n`);
    });
  report
    .command('verify')
    .description("Check that a run's journal was not changed: its hash chain, and its end against the report.")
    .argument('<run-id>', 'the run')
    .option(...runsDirOption)
    .action((runId: string, flags: { runsDir?: string }) => {
      const runDir = join(runsDirOf(flags), runId);
      readJournal(runDir);
      const found = verifyRecord(runDir);
      if (found.problems.length)
        throw new RecordChanged(`The record of run ${runId} was changed: ${found.problems.join('; ')}.`, {
          hint: 'Keep the files as they are for the review; an intact copy (your archive, the repository) shows what changed.',
        });
      process.stdout.write(
        `Run ${runId}: journal intact: ${found.records} records, chain ends ${found.chainHash}; report.json states the same.\n`,
      );
    });
  report
    .command('sign')
    .description(
      'Sign the record of a finished run as its approver (appended to the chain; the report is rendered again).',
    )
    .argument('<run-id>', 'the run')
    .requiredOption('--approver <name>', 'who signs')
    .option('--note <text>', 'what the approver has to say')
    .option('--follow-up <what=owner>', 'a follow-up and who owns it (repeatable)', collect)
    .option(...runsDirOption)
    .action((runId: string, flags: { runsDir?: string; approver: string; note?: string; followUp?: string[] }) => {
      const runDir = join(runsDirOf(flags), runId);
      const paths = signRecord(runDir, runId, {
        approver: flags.approver,
        note: flags.note,
        followUps: flags.followUp?.length ? followUps(flags.followUp) : undefined,
      });
      process.stdout.write(`Run ${runId} signed by ${flags.approver}.\n${paths.map((p) => `${p}\n`).join('')}`);
    });
}
