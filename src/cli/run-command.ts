import { silenceKnownWarnings } from '../core/warnings.js';
import { registerEnvironmentSecrets } from '../core/environment-secrets.js';
import { reportFailure } from './output.js';
import { warnPasswordOnCommandLine } from './password-options.js';
import { loadCommandModule } from './command-modules.js';
import type { CommandModule } from './command-table.js';
import { commanderExitCode, createProgram } from './program.js';

/** Runs the command that `module` registers; in the one-file bundle this module and all it imports load only now. */
export async function runCommand(module: CommandModule, argv: string[]): Promise<number> {
  silenceKnownWarnings();
  registerEnvironmentSecrets();
  warnPasswordOnCommandLine(argv.slice(2));
  try {
    const program = createProgram();
    (await loadCommandModule(module))(program);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return commanderExitCode(error) ?? reportFailure(error);
  }
}
