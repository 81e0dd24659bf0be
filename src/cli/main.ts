import { Command, CommanderError } from 'commander';
import { silenceKnownWarnings } from '../core/warnings.js';
import { reportFailure } from './output.js';
import { registerBackupCommands } from './backup.js';
import { registerRunCommands } from './run.js';
import { registerRunbooksCommands } from './runbooks.js';
import { registerRunsCommands } from './runs.js';
import { registerReportCommand } from './report.js';
import { registerOperationsCommands } from './operations.js';
import { registerPitrCommands } from './pitr.js';

silenceKnownWarnings();

const program = new Command('pgdr')
  .description('Disaster recovery for PostgreSQL and Supabase: backups, verified restores and DR runbooks.')
  .version(process.env.PGDR_VERSION ?? '0.1.0', '-V, --version')
  .showSuggestionAfterError()
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

registerBackupCommands(program);
registerRunCommands(program);
registerRunbooksCommands(program);
registerRunsCommands(program);
registerReportCommand(program);
registerOperationsCommands(program);
registerPitrCommands(program);
(await import('./restore.js')).registerRestoreCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportFailure(error);
  }
}
