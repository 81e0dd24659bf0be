import { audited, type AuditNote } from '../audit/audit-log.js';
import { Aborted, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/context.js';
import type { Env } from '../core/env.js';
import type { PgdrConfig, NotifyEventType } from '../config/schema.js';
import { notify } from './notify.js';

export interface ReportedOperation {
  /** Audit log command name: "backup", "verify", "restore". */
  command: string;
  /** What it ran against (redacted on write): target.display or the repository URL. */
  target: string;
  /** Operator words for the notification title: "Backup of app". */
  title: string;
  failedEvent: NotifyEventType;
  succeededEvent?: NotifyEventType;
  config: Pick<PgdrConfig, 'notifications'>;
  log: Logger;
  env?: Env;
}

/**
 * Runs an operation the way a scheduled job needs: one audit line either way, a notification on failure (and on
 * success if subscribed), and the operation's own result or error unchanged. `pgdr doctor` reads the audit line.
 */
export async function reportedOperation<T>(op: ReportedOperation, fn: (note: AuditNote) => Promise<T>): Promise<T> {
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  let note: AuditNote = {};
  try {
    const value = await audited(
      op.command,
      (n) => {
        note = n;
        return fn(n);
      },
      { env: op.env, target: op.target },
    );
    if (op.succeededEvent) {
      await notify(
        op.config,
        {
          type: op.succeededEvent,
          severity: 'info',
          title: `${op.title} succeeded`,
          details: { target: op.target, backup: note.backupId, took: seconds() },
        },
        { log: op.log, env: op.env },
      );
    }
    return value;
  } catch (error) {
    if (!(error instanceof Aborted)) {
      const message = errorMessage(error);
      await notify(
        op.config,
        {
          type: op.failedEvent,
          severity: 'critical',
          title: `${op.title} failed`,
          details: {
            target: op.target,
            error: message,
            took: seconds(),
            next: 'Run pgdr doctor on the host, and pgdr audit --since 1d.',
          },
        },
        { log: op.log, env: op.env },
      );
    }
    throw error;
  }
}
