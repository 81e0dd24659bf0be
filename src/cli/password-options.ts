import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import chalk from 'chalk';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';

/**
 * A password on pgdr's command line is visible to every user of the host (ps, /proc/<pid>/cmdline) for as long as
 * pgdr runs. The libpq ways keep it off: ~/.pgpass or PGPASSFILE, PGPASSWORD, and here --password-file (PGPASSWORD
 * from a file) and --password (asked on the terminal, not echoed).
 */
export const PASSWORD_WAYS =
  '~/.pgpass or PGPASSFILE, PGPASSWORD, --password-file FILE, or --password to be asked on the terminal';

const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:[^@\s/]+@/i;

export function addPasswordOptions(cmd: Command): Command {
  return cmd
    .option('--password-file <file>', 'read the database password from this file (first line), never the command line')
    .option('-W, --password', 'ask for the database password on the terminal (not echoed)');
}

/** Once per run: says so when a password sits in pgdr's own argv. */
export function warnPasswordOnCommandLine(argv: readonly string[]): void {
  if (!argv.some((arg) => URL_PASSWORD.test(arg))) return;
  process.stderr.write(
    `${chalk.yellow('warning:')} a password is on pgdr's command line, where every user of this host can read it (ps). Give the URL without it, e.g. postgres://user@host/db, and let the password come from ${PASSWORD_WAYS}.\n`,
  );
}

/**
 * Applies --password-file / --password before the command runs: the password becomes PGPASSWORD for pgdr and the
 * tools it starts, as libpq would take it from the environment. A password in a URL still wins, as in libpq.
 */
export async function applyPasswordOptions(options: { passwordFile?: string; password?: boolean }): Promise<void> {
  if (options.passwordFile && options.password)
    throw new UsageError('Give either --password-file or --password, not both.');
  let password: string | undefined;
  if (options.passwordFile) password = readPasswordFile(options.passwordFile);
  else if (options.password) {
    if (!process.stdin.isTTY)
      throw new UsageError(
        '--password asks on a terminal, and there is none.',
        'Use --password-file FILE, PGPASSWORD or ~/.pgpass.',
      );
    const { password: ask } = await import('@inquirer/prompts');
    password = await ask({ message: 'Database password:', mask: false }, { output: process.stderr });
  }
  if (password === undefined) return;
  registerSecret(password);
  process.env.PGPASSWORD = password;
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    if (statSync(file).mode & 0o077)
      process.stderr.write(`${chalk.yellow('warning:')} ${file} is readable by other users; run: chmod 600 ${file}\n`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--password-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      'Give a file holding the password on its first line (chmod 600).',
    );
  }
  const password = text.split(/\r?\n/)[0] ?? '';
  if (!password) throw new UsageError(`--password-file ${file} is empty.`, 'Put the password on its first line.');
  return password;
}
