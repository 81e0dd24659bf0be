import type { Command } from 'commander';
import { registerConfigCommands } from './config.js';
import { registerAuditCommand } from './audit.js';
import { registerScheduleCommand } from './schedule.js';

/** The day-to-day commands around the runbooks: config, init, schedule, audit, export/import, doctor. */
export function registerOperationsCommands(program: Command): void {
  registerConfigCommands(program);
  registerScheduleCommand(program);
  registerAuditCommand(program);
}
