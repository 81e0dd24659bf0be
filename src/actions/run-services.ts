import type { Logger } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { ArchiveKeys } from '../backup/archive.js';
import type { EncryptionOption } from '../backup/archive.js';
import type { LockOption } from '../backup/backup-lock.js';
import type { NotificationsConfig } from '../config/schema.js';
import type { Repository } from '../storage/index.js';
import type { SupabaseManagementApi } from '../supabase/management-api.js';

/** What the run's actions share beyond targets: the backup repository, keys, notification channels, cleanups. */
export interface RunServices {
  /** The run's repository (--repo, PGDR_REPO or the config's); undefined when none is configured. */
  repository?: Repository;
  /** Opens a repository a step names in `with.repo` (same S3 endpoint and region as the run's). */
  openRepository?(url: string): Repository;
  /** Identities or passphrase that open encrypted backups. */
  keys?: ArchiveKeys;
  /** How backups the run takes are encrypted (safety snapshots, drill sources). */
  encryption?: EncryptionOption;
  /** repository.lock: backups the run takes into its repository are locked like scheduled ones. */
  lock?: LockOption;
  notifications?: NotificationsConfig;
  /** Someone is at a terminal to choose (the TUI or an inquirer prompt); false under --yes / --answer / no TTY. */
  interactive?: boolean;
  /** Supabase PITR: the Management API (default from SUPABASE_ACCESS_TOKEN), the project ref and the status poll interval. */
  supabase?: { api?: SupabaseManagementApi; ref?: string; pollIntervalMs?: number };
  /** False when the run cannot be resumed (a sandbox drill: its cluster goes when the run ends); hints say so. */
  resumable?: boolean;
  /** Work the run does once it is over, whatever its outcome: dropping a drill's scratch database. */
  cleanup?: RunCleanup;
}

/** What built a run's services, journaled so a resume builds them again: no secrets, only where they are. */
export interface ServiceRecipe {
  repo?: string;
  s3Endpoint?: string;
  /** Absolute paths. */
  config?: string;
  identity?: string;
  /** The name of the variable that holds the backup passphrase. */
  passphraseEnv?: string;
}

/** Jobs run newest first when the run ends (passed, failed or aborted; not when it is suspended for a resume). */
export class RunCleanup {
  private readonly jobs: { label: string; job: () => Promise<void> }[] = [];

  add(label: string, job: () => Promise<void>): void {
    this.jobs.push({ label, job });
  }

  get size(): number {
    return this.jobs.length;
  }

  async run(log: Logger): Promise<void> {
    while (this.jobs.length > 0) {
      const { label, job } = this.jobs.pop()!;
      try {
        await job();
        log.info(`Cleanup: ${label}.`);
      } catch (error) {
        log.warn(`Cleanup failed (${label}): ${errorMessage(error)}; do it by hand.`);
      }
    }
  }
}
