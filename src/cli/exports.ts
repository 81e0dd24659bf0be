import type { Command } from 'commander';
import chalk from 'chalk';
import { UsageError } from '../core/errors.js';
import { formatBytes } from '../core/format-bytes.js';
import { printable } from '../core/printable.js';
import { resolveProfile } from '../config/profile.js';
import { reportedOperation } from '../notify/reported-operation.js';
import {
  addRepoOptions,
  cliConfig,
  cliEncryption,
  cliRepository,
  operationContext,
  type CommonOptions,
} from './context.js';
import { printJson, stderrLogger } from './output.js';
import { addLockOptions, lockOption, type LockFlags } from './repository-policy.js';
import { table } from './backup-format.js';

/** `pgdr exports run <name> | list`: the plans' weekly exports, as pgdr.config.yaml's exports: names them. */
export function registerExportsCommands(program: Command): void {
  const exports = program.command('exports').description('Scheduled exports of the tables a DR plan names.');
  addLockOptions(addRepoOptions(exports.command('run')))
    .description(
      'Run the export the config names (exports.<name>): its tables in one snapshot, compressed and encrypted like backups, into exports/<name>/ in the repository.',
    )
    .argument('<name>', 'the export, as named under exports: in pgdr.config.yaml')
    .option('--profile <name>', 'target profile (else the export’s profile, else the default)')
    .option('--no-encrypt', 'do not encrypt even if the config names recipients')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: CommonOptions & LockFlags & { encrypt?: boolean }) => {
      const { takeExport } = await import('../backup/exports/index.js');
      const loaded = await cliConfig(flags);
      const spec = loaded.config.exports[name];
      if (!spec)
        throw new UsageError(
          `No export named "${name}" in the config.`,
          `Known exports: ${Object.keys(loaded.config.exports).join(', ') || 'none'} (exports: in pgdr.config.yaml).`,
        );
      const profile = resolveProfile(loaded.config, flags.profile ?? spec.profile);
      const repo = cliRepository(loaded, flags, 'write');
      const ctx = operationContext(flags);
      try {
        const report = {
          command: 'export',
          target: profile.target.display,
          title: `Export ${name} of ${profile.target.database}`,
          failedEvent: 'backup.failed',
          config: loaded.config,
          log: ctx.log,
        } as const;
        const manifest = await reportedOperation(report, async (note) => {
          const taken = await takeExport(
            {
              name,
              tables: spec.tables,
              format: spec.format,
              target: profile.target,
              repo,
              encryption: cliEncryption(loaded, flags),
              lock: lockOption(loaded, flags),
            },
            ctx,
          );
          note.backupId = `${name}/${taken.id}`;
          note.details = { tables: taken.tables.length, bytes: taken.bytes };
          return taken;
        });
        ctx.dispose();
        if (flags.json) return printJson(manifest);
        process.stdout.write(
          `${chalk.green('✔')} Export ${chalk.bold(`${name}/${manifest.id}`)} (${manifest.format}, kept ${spec.keepWeeks} weeks)\n` +
            manifest.tables
              .map((t) => `  ${t.table.padEnd(30)} ${String(t.rows).padStart(9)} rows  ${formatBytes(t.bytes)}\n`)
              .join(''),
        );
      } finally {
        ctx.dispose();
      }
    });

  addRepoOptions(exports.command('list'))
    .description('List the complete exports in the repository.')
    .option('--json', 'print JSON')
    .action(async (flags: CommonOptions) => {
      const { listExports } = await import('../backup/exports/index.js');
      const loaded = await cliConfig(flags);
      const catalog = await listExports(cliRepository(loaded, flags));
      for (const line of catalog.warnings) stderrLogger().warn(line);
      if (flags.json) return printJson(catalog.exports);
      if (!catalog.exports.length) return void process.stdout.write('No exports in this repository.\n');
      const rows = [['NAME', 'ID', 'DATABASE', 'FORMAT', 'TABLES', 'ROWS', 'SIZE'].map((h) => chalk.bold(h))];
      for (const e of catalog.exports)
        rows.push([
          e.name,
          e.id,
          printable(e.database),
          e.format,
          String(e.tables.length),
          String(e.tables.reduce((s, t) => s + t.rows, 0)),
          formatBytes(e.bytes),
        ]);
      process.stdout.write(table(rows));
    });
}
