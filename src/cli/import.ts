import type { Command } from 'commander';
import { resolve } from 'node:path';
import { input } from '@inquirer/prompts';
import { UsageError } from '../core/errors.js';
import { withClient } from '../pg/client.js';
import { audited } from '../audit/audit-log.js';
import { importRows, type ImportReport } from '../data/import-table.js';
import { formatOf, readRows } from '../data/read-rows.js';
import { addTargetOptions, cliConfig, cliTarget, type CommonOptions } from './context.js';
import { printJson } from './output.js';

interface ImportFlags extends CommonOptions {
  table: string;
  mode: string;
  truncate?: boolean;
  dryRun?: boolean;
  skipInvalid?: boolean;
  format?: string;
  confirm?: string;
}

export function registerImportCommand(program: Command): void {
  addTargetOptions(program.command('import'))
    .description(
      'Import a JSON or CSV file into a table: columns and types are checked first, then all rows go in one transaction.',
    )
    .argument('<file>', 'JSON (array of objects, or one per line) or CSV with a header row')
    .requiredOption('--table <name>', 'table to write into (schema.table)')
    .option('--mode <insert|upsert>', 'insert new rows, or upsert by primary key', 'insert')
    .option('--truncate', 'empty the table first (in the same transaction)')
    .option('--dry-run', 'do everything, report the counts, then roll back')
    .option('--skip-invalid', 'write the valid rows and report the rejected ones (default: reject the whole file)')
    .option('--format <json|csv>', 'file format (default: from the extension)')
    .option(
      '--confirm <dbname>',
      'the database name, to allow --truncate or upsert on a non-scratch target without a prompt',
    )
    .option('--config <path>', 'config file (default ./pgdr.config.yaml, or PGDR_CONFIG)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: ImportFlags) => {
      if (flags.mode !== 'insert' && flags.mode !== 'upsert')
        throw new UsageError(`Unknown mode "${flags.mode}".`, 'Use --mode insert or --mode upsert.');
      const path = resolve(file);
      const data = readRows(path, formatOf(path, flags.format));
      const loaded = await cliConfig(flags);
      const profile = cliTarget(loaded, flags);
      const destructive = (flags.truncate || flags.mode === 'upsert') && !flags.dryRun && profile.role !== 'scratch';
      if (destructive)
        await confirmDatabase(
          profile.target.database,
          flags.confirm,
          flags.truncate ? 'truncate and refill' : 'overwrite rows of',
        );
      const report = await audited(
        'import',
        async (note) => {
          const r = await withClient(profile.target, (client) =>
            importRows(client, data, {
              table: flags.table,
              mode: flags.mode as 'insert' | 'upsert',
              truncate: flags.truncate,
              dryRun: flags.dryRun,
              skipInvalid: flags.skipInvalid,
            }),
          );
          note.details = {
            table: r.table,
            inserted: r.inserted,
            updated: r.updated,
            rejected: r.rejected.length,
            dryRun: Boolean(flags.dryRun),
          };
          return r;
        },
        { target: profile.target.display },
      );
      if (flags.json) return printJson(report);
      process.stdout.write(summary(report, path));
      if (report.rejected.length) process.exitCode = 1;
    });
}

/** Safety rule 2: a destructive write to a non-scratch database needs its name typed back. */
async function confirmDatabase(database: string, confirm: string | undefined, what: string): Promise<void> {
  if (confirm !== undefined) {
    if (confirm !== database)
      throw new UsageError(
        `--confirm ${confirm} does not match the target database ${database}.`,
        `Pass --confirm ${database} if you mean it.`,
      );
    return;
  }
  if (!process.stdin.isTTY)
    throw new UsageError(
      `This would ${what} a table in ${database}, which is not marked scratch.`,
      `Pass --confirm ${database}, or try it first with --dry-run.`,
    );
  const typed = await input({
    message: `This will ${what} a table in ${database}. Type the database name to continue:`,
  });
  if (typed.trim() !== database) throw new UsageError('The name did not match; nothing was written.');
}

function summary(r: ImportReport, path: string): string {
  const verb = r.committed ? 'Imported' : 'Dry run (rolled back):';
  const lines = [
    `${verb} ${path} into ${r.table}: ${r.inserted} inserted, ${r.updated} updated${r.unchanged ? `, ${r.unchanged} unchanged` : ''}, ${r.rejected.length} rejected${r.truncated ? ' (table truncated first)' : ''}.`,
  ];
  for (const rej of r.rejected.slice(0, 20)) lines.push(`  row ${rej.row}: ${rej.reason}`);
  if (r.rejected.length > 20) lines.push(`  … and ${r.rejected.length - 20} more (--json lists all)`);
  return lines.join('\n') + '\n';
}
