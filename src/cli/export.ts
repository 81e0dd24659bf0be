import type { Command } from 'commander';
import { createWriteStream, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { withClient } from '../pg/client.js';
import { audited } from '../audit/audit-log.js';
import { parseAnonymize } from '../data/anonymize.js';
import { EXPORT_FORMATS, exportTable, type ExportFormat } from '../data/export-table.js';
import { exportUser } from '../data/export-user.js';
import { addTargetOptions, cliConfig, cliTarget, operationContext, type CommonOptions } from './context.js';
import { collect, printJson } from './output.js';

interface ExportFlags extends CommonOptions {
  table?: string;
  where?: string;
  format: string;
  anonymize?: string[];
  out?: string;
  userId?: string;
}

export function registerExportCommand(program: Command): void {
  addTargetOptions(program.command('export'))
    .description(
      'Export a table (or everything about one user) as JSON, CSV or SQL, streamed so large tables never sit in memory.',
    )
    .option('--table <name>', 'table to export (schema.table)')
    .option('--where <sql>', 'only rows matching this condition (runs in a read-only transaction)')
    .option('--format <json|csv|sql>', 'output format', 'json')
    .option('--anonymize <column=hash|mask|email|null>', 'replace a column’s values (repeatable)', collect)
    .option('--out <path>', 'file to write (default stdout); with --user-id, a directory')
    .option('--user-id <uuid>', 'GDPR export: every row that refers to this auth.users id, following foreign keys')
    .option('--config <path>', 'config file (default ./pgdr.config.yaml, or PGDR_CONFIG)')
    .option('--json', 'print the summary as JSON on stdout (needs --out)')
    .addHelpText(
      'after',
      '\nExamples:\n  pgdr export --table public.orders --where "created_at > now() - interval \'1 day\'" --format csv --out orders.csv\n  pgdr export --table auth.users --anonymize email=email --anonymize phone=mask\n  pgdr export --user-id 0b6f9c1e-… --out ./gdpr-request-123',
    )
    .action(async (flags: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format))
        throw new UsageError(`Unknown format "${flags.format}".`, 'Use --format json, csv or sql.');
      const format = flags.format as ExportFormat;
      if (!flags.userId && !flags.table)
        throw new UsageError(
          'Nothing to export.',
          'Pass --table <name>, or --user-id <uuid> --out DIR for everything about one user.',
        );
      if (flags.userId && flags.table) throw new UsageError('Give either --table or --user-id, not both.');
      if (flags.json && !flags.out)
        throw new UsageError(
          '--json prints a summary on stdout, where the data goes without --out.',
          'Add --out PATH.',
        );
      const rules = parseAnonymize(flags.anonymize ?? []);
      const loaded = await cliConfig(flags);
      const { target } = cliTarget(loaded, flags);
      const ctx = operationContext({ quiet: !flags.out });
      try {
        if (flags.userId) {
          if (!flags.out) throw new UsageError('--user-id writes one file per table.', 'Add --out DIR.');
          const directory = resolve(flags.out);
          const result = await audited(
            'export',
            (note) =>
              withClient(target, (client) => exportUser(client, { userId: flags.userId!, directory, format })).then(
                (r) => {
                  note.details = { userId: r.userId, tables: r.files.length };
                  return r;
                },
              ),
            { target: target.display },
          );
          if (flags.json) return printJson(result);
          process.stdout.write(`Exported user ${result.userId} to ${directory}:\n`);
          for (const f of result.files)
            process.stdout.write(
              `  ${f.file.padEnd(40)} ${String(f.rows).padStart(7)} rows${f.withheldColumns.length ? `  (withheld: ${f.withheldColumns.join(', ')})` : ''}\n`,
            );
          process.stdout.write(`  index.json lists each table and the foreign keys that led to it.\n`);
          return;
        }
        const out = flags.out ? createWriteStream(resolve(flags.out), { mode: 0o600 }) : process.stdout;
        const result = await audited(
          'export',
          async (note) => {
            const r = await withClient(target, (client) =>
              exportTable(
                client,
                {
                  table: flags.table!,
                  where: flags.where,
                  format,
                  anonymize: rules,
                  onProgress: (n) => ctx.progress({ label: 'export', done: n, unit: 'rows' }),
                },
                out,
              ),
            );
            note.details = { table: r.table, rows: r.rows, format };
            return r;
          },
          { target: target.display },
        ).catch((error: unknown) => {
          // A half-written export must not pass for a complete one.
          if (out !== process.stdout) {
            out.destroy();
            rmSync(resolve(flags.out!), { force: true });
          }
          throw error;
        });
        if (out !== process.stdout) {
          out.end();
          await finished(out);
          if (flags.json) printJson({ ...result, out: resolve(flags.out!), format });
          else
            process.stderr.write(
              `Exported ${result.rows} rows of ${result.table} to ${resolve(flags.out!)} (${format}).\n`,
            );
        }
      } finally {
        ctx.dispose();
      }
    });
}
