import type { Command } from 'commander';
import { COMMANDS, type CommandModule } from './command-table.js';

type Register = (program: Command) => void;

/** Imports one command module, and only it: its dependencies (Ink, the AWS SDK, pg…) load with it. */
export async function loadCommandModule(module: CommandModule): Promise<Register> {
  switch (module) {
    case 'backup':
      return (await import('./backup.js')).registerBackupCommands;
    case 'restore':
      return (await import('./restore.js')).registerRestoreCommand;
    case 'pitr':
      return (await import('./pitr.js')).registerPitrCommands;
    case 'run':
      return (await import('./run.js')).registerRunCommands;
    case 'runbooks':
      return (await import('./runbooks.js')).registerRunbooksCommands;
    case 'runs':
      return (await import('./runs.js')).registerRunsCommands;
    case 'report':
      return (await import('./report.js')).registerReportCommand;
    case 'doctor':
      return (await import('./doctor.js')).registerDoctorCommand;
    case 'init':
      return (await import('./init.js')).registerInitCommand;
    case 'config':
      return (await import('./config.js')).registerConfigCommands;
    case 'schedule':
      return (await import('./schedule.js')).registerScheduleCommand;
    case 'export':
      return (await import('./export.js')).registerExportCommand;
    case 'import':
      return (await import('./import.js')).registerImportCommand;
    case 'files':
      return (await import('./files.js')).registerFilesCommands;
    case 'audit':
      return (await import('./audit.js')).registerAuditCommand;
    case 'repo':
      return (await import('./repo.js')).registerRepoCommands;
    case 'exports':
      return (await import('./exports.js')).registerExportsCommands;
    case 'completion': {
      const { registerCompletionCommand } = await import('./completion.js');
      return (program) => registerCompletionCommand(program, registerAll);
    }
  }
}

/** Registers every command for real (completion walks the whole tree). */
export async function registerAll(program: Command): Promise<void> {
  const modules = [...new Set(COMMANDS.map((c) => c.module))];
  for (const register of await Promise.all(modules.map(loadCommandModule))) register(program);
}
