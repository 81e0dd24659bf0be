import type { ArchiveKeys } from '../backup/archive.js';
import type { BackupManifest } from '../backup/manifest.js';
import type { ThawOptions } from '../backup/thaw.js';
import type { EncryptionOption } from '../backup/archive.js';
import type { DbTarget } from '../pg/connection.js';
import type { Repository } from '../storage/index.js';
import type { TableCheck } from '../backup/table-counts.js';
import type { OnConflict, RowsOutcome } from './rows.js';

export interface RestoreOptions {
  /** Where the backup is (and the safety snapshot goes); optional when `ref` is the path of a backup directory. */
  repo?: Repository;
  /** A backup id (or unambiguous prefix), `latest`, `latest-verified`, or the path of a backup directory. */
  ref: string;
  /** The server, and the database an in-place restore replaces (or --rows writes into). */
  target: DbTarget;
  /** `new-db` (default) creates a database; `in-place` restores over `target.database`. */
  mode?: 'new-db' | 'in-place';
  /** Name of the new database (default `<db>_restored_<yyyymmddhhmm>`). */
  newDb?: string;
  /** In place: drop the archive's objects before recreating them (destructive; needs `confirm`). */
  clean?: boolean;
  /** The target database's name typed back by the operator. */
  confirm?: string;
  safetySnapshot?: boolean;
  safetyEncryption?: EncryptionOption;
  schemaOnly?: boolean;
  tables?: string[];
  rows?: { table: string; where: string };
  onConflict?: OnConflict;
  keys?: ArchiveKeys;
  jobs?: number;
  intoSupabase?: boolean;
  dryRun?: boolean;
  /** A backup whose archive S3 moved to GLACIER or DEEP_ARCHIVE: how it is brought back first. */
  archive?: ThawOptions;
  /** Clock for default names (tests). */
  now?: Date;
}

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
}
