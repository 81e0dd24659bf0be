import { ActionRegistry, type ActionDefinition } from './registry.js';
import { pgPing } from './pg-ping.js';
import { pgTerminateConnections } from './pg-terminate-connections.js';
import { pgBlockConnections } from './pg-block-connections.js';
import { pgUnblockConnections } from './pg-unblock-connections.js';
import { sqlCheck } from './sql-check.js';
import { httpRequest } from './http-request.js';
import { httpCheck } from './http-check.js';
import { shell } from './shell.js';
import { manual } from './manual.js';
import { confirm } from './confirm.js';
import { wait } from './wait.js';
import { notify } from './notify.js';
import { backupTake } from './backup-take.js';
import { backupSelect } from './backup-select.js';
import { backupVerify } from './backup-verify.js';
import { restoreRun } from './restore-run.js';

/** Every action a runbook may name. A new action is one file plus one line here. */
// Each definition has its own argument type; the registry validates arguments with the definition's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const BUILTIN_ACTIONS: readonly ActionDefinition<any>[] = [
  pgPing,
  pgTerminateConnections,
  pgBlockConnections,
  pgUnblockConnections,
  sqlCheck,
  httpRequest,
  httpCheck,
  shell,
  manual,
  confirm,
  wait,
  notify,
  backupTake,
  backupSelect,
  backupVerify,
  restoreRun,
];

export function builtinActions(): ActionRegistry {
  return new ActionRegistry(BUILTIN_ACTIONS);
}

export {
  ActionRegistry,
  defineAction,
  type ActionDefinition,
  type ActionContext,
  type TargetProfile,
} from './registry.js';
