import type { Command } from 'commander';
import chalk from 'chalk';
import { describeConfig, redactedConfig } from '../config/show.js';
import { printJson } from './output.js';
import { cliConfig } from './context.js';

export function registerConfigCommands(program: Command): void {
  const config = program
    .command('config')
    .description('Show the configuration pgdr uses (pgdr.config.yaml, environment, defaults).');
  config
    .command('show')
    .description('Print the merged configuration, secrets redacted, and where each value came from.')
    .option('--config <path>', 'config file (default ./pgdr.config.yaml, or PGDR_CONFIG)')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const loaded = await cliConfig({ config: opts.config });
      const lines = describeConfig(loaded);
      if (opts.json) {
        printJson({
          path: loaded.path ?? null,
          config: redactedConfig(loaded),
          origins: loaded.origins,
          warnings: loaded.warnings,
        });
        return;
      }
      process.stdout.write(
        `${chalk.bold('config file:')} ${loaded.path ?? 'none (defaults and environment only; create one with: pgdr init)'}\n\n`,
      );
      const width = Math.max(...lines.map((l) => l.key.length));
      for (const line of lines) {
        const origin = line.origin === 'default' ? chalk.dim('default') : line.origin;
        process.stdout.write(
          `${line.key.padEnd(width)}  ${JSON.stringify(line.value)}  ${chalk.dim('(')}${origin}${chalk.dim(')')}\n`,
        );
      }
    });
}
