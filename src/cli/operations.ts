import type { Command } from 'commander';
import { registerConfigCommands } from './config.js';
import { registerInitCommand } from './init.js';
import { registerAuditCommand } from './audit.js';
import { registerDoctorCommand } from './doctor.js';
import { registerFilesCommands } from './files.js';
import { registerScheduleCommand } from './schedule.js';
import { registerExportCommand } from './export.js';
import { registerImportCommand } from './import.js';

/** The day-to-day commands around the runbooks: config, init, schedule, audit, export/import, doctor. */
export function registerOperationsCommands(program: Command): void {
  registerInitCommand(program);
  registerConfigCommands(program);
  registerScheduleCommand(program);
  registerExportCommand(program);
  registerImportCommand(program);
  registerDoctorCommand(program);
  registerFilesCommands(program);
  registerAuditCommand(program);
}
