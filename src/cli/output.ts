import chalk from 'chalk';
import { isPgdrError, errorMessage } from '../core/errors.js';
import { redact, redactedJson } from '../core/secrets.js';
import { printableLines } from '../core/printable.js';

/** What reaches the terminal: secrets masked, and no control character from a repository or a database acted on. */
const shown = (text: string) => printableLines(redact(text));
import type { Logger } from '../core/context.js';

/** Prints an error as the operator should see it (one screen, no stack unless PGDR_DEBUG) and returns the exit code. */
export function reportFailure(error: unknown): number {
  if (isPgdrError(error)) {
    process.stderr.write(`${chalk.red('error:')} ${shown(error.message)}\n`);
    if (error.hint) process.stderr.write(`${chalk.yellow('hint:')}  ${shown(error.hint)}\n`);
    if (process.env.PGDR_DEBUG && error.stack) process.stderr.write(redact(error.stack) + '\n');
    return error.exitCode;
  }
  const message = errorMessage(error);
  process.stderr.write(`${chalk.red('error:')} ${shown(message)}\n`);
  process.stderr.write(
    `${chalk.yellow('hint:')}  This is unexpected; rerun with PGDR_DEBUG=1 for details and report it.\n`,
  );
  if (process.env.PGDR_DEBUG && error instanceof Error && error.stack) process.stderr.write(redact(error.stack) + '\n');
  return 1;
}

export function printJson(value: unknown): void {
  process.stdout.write(redactedJson(value, 2) + '\n');
}

/** Logger for commands: human lines on stderr so stdout stays clean for --json. */
export function stderrLogger(options: { verbose?: boolean } = {}): Logger {
  const line = (prefix: string, message: string) => process.stderr.write(`${prefix}${shown(message)}\n`);
  return {
    debug: (m) => options.verbose && line(chalk.dim('debug '), m),
    info: (m) => line('', m),
    warn: (m) => line(chalk.yellow('warning: '), m),
    error: (m) => line(chalk.red('error: '), m),
  };
}

/** Collects a repeatable option: --table a --table b. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
