import { Command } from 'commander';
import { PGDR_VERSION } from '../core/identity.js';
import { applyPasswordOptions } from './password-options.js';

/** The `pgdr` program without its commands: the same for the fast help and for a command's run. */
export function createProgram(): Command {
  return new Command('pgdr')
    .description('Disaster recovery for PostgreSQL and Supabase: backups, verified restores and DR runbooks.')
    .version(process.env.PGDR_VERSION ?? PGDR_VERSION, '-V, --version')
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .hook('preAction', (_program, command) => applyPasswordOptions(command.opts()));
}

/** Commander's own errors (bad flag, --help, --version) exit 0 or 2 after it printed them. */
export function commanderExitCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown; exitCode?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('commander.')) return undefined;
  return (error as { exitCode: number }).exitCode === 0 ? 0 : 2;
}
