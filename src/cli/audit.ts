import type { Command } from 'commander';
import chalk from 'chalk';
import { auditPath, parseSince, readAudit } from '../audit/audit-log.js';
import { printJson } from './output.js';

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('Show the audit log: who ran which operation, when, against what, and how it ended.')
    .option('--since <when>', 'only entries newer than this (30m, 12h, 7d, 2w or a date)', '7d')
    .option('--json', 'print JSON')
    .action((opts: { since: string; json?: boolean }) => {
      const entries = readAudit({ since: parseSince(opts.since) });
      if (opts.json) return printJson(entries);
      if (entries.length === 0) {
        process.stdout.write(`No audit entries since ${opts.since} in ${auditPath()}.\n`);
        return;
      }
      for (const e of entries) {
        const result =
          e.result === 'ok' ? chalk.green('ok') : e.result === 'failed' ? chalk.red(e.result) : chalk.yellow(e.result);
        const extra = [e.target, e.backupId, `${(e.durationMs / 1000).toFixed(1)}s`].filter(Boolean).join('  ');
        process.stdout.write(`${e.at}  ${e.who}  ${e.command.padEnd(10)} ${result.padEnd(8)} ${extra}\n`);
      }
    });
}
