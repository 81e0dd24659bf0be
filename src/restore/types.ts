import type { BackupManifest } from '../backup/manifest.js';
import type { TableCheck } from '../backup/table-counts.js';
import type { RowsOutcome } from './rows.js';
import type { RestorePrediction } from './restore-prediction.js';
import type { PhaseDurations } from './restore-phases.js';

export interface PlanStep {
  title: string;
  /** The command as it would run, secrets redacted (none are ever in argv). */
  command?: string;
  detail?: string;
}

export interface RestorePlan {
  backup: Pick<BackupManifest, 'id' | 'database' | 'snapshotTime' | 'kind' | 'format' | 'bytes' | 'supabase'> & {
    encrypted: boolean;
    tables: number;
  };
  /** What the restore does to the server, in the operator's words. */
  what: 'full' | 'schema' | 'tables' | 'rows';
  database: string;
  mode: 'new-db' | 'in-place';
  jobs: number;
  source: 'stream' | 'materialize' | 'directory';
  /**
   * When the archive's sha256 is checked: before the first change (in place, rows), or alongside a restore into the
   * database it creates, which a failed check drops.
   */
  checksum: 'first' | 'alongside';
  creates: string[];
  drops: string[];
  overwrites: string[];
  sessions: { pid: number; user: string; application: string; client: string }[];
  /** The archive must first be restored from an archive storage class: the wait S3 documents for it. */
  archived?: { storageClass: string; files: number; tier: string; expected: string };
  steps: PlanStep[];
}

export interface RestoreResult {
  ok: boolean;
  dryRun: boolean;
  backupId: string;
  /** The recovery point: the backup's snapshot time. */
  recoveryPoint: string;
  database: string;
  mode: 'new-db' | 'in-place';
  what: RestorePlan['what'];
  durationMs: number;
  safetySnapshotId?: string;
  terminatedSessions?: number;
  connectionBlock?: string;
  tables: TableCheck[];
  mismatches: number;
  rows?: RowsOutcome;
  /** The source database's settings, privileges, owner and comment: applied to a new database, listed in place. */
  databaseSettings?: { applied: boolean; statements: string[] };
  warnings: string[];
  plan: RestorePlan;
  /** A whole database's restore: each phase's expected duration, printed before it started. */
  prediction?: RestorePrediction;
  /** A whole database's restore that succeeded: each phase's actual duration, recorded in the repository's history. */
  timing?: { phases: PhaseDurations; totalMs: number };
}
