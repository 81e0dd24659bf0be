import type { ArchiveKeys, EncryptionOption } from '../backup/archive.js';
import type { ThawOptions } from '../backup/thaw.js';
import type { DbTarget } from '../pg/connection.js';
import type { Repository } from '../storage/index.js';
import type { OnConflict } from './rows.js';
import type { PitrRequest } from './pitr/request.js';

/** What of a backup is restored. */
export type RestoreContent = { what: 'full' } | { what: 'schema' } | { what: 'tables'; tables: string[] };

/** The backup's rows of one table matching `where`, copied into the database as it is; nothing else is touched. */
export interface RowsContent {
  what: 'rows';
  table: string;
  where: string;
  onConflict: OnConflict;
}

/** Which backup, where it is and how it is read: the same for every restore of a backup. */
export interface BackupSource {
  /** Where the backup is (and the safety snapshot goes); optional when `ref` is the path of a backup directory. */
  repo?: Repository;
  /** A backup id (or unambiguous prefix), `latest`, `latest-verified`, or the path of a backup directory. */
  ref: string;
  /** The server, and the database an in-place restore replaces (or rows are copied into). */
  target: DbTarget;
  keys?: ArchiveKeys;
  /** Parallel pg_restore jobs (default min(4, cores)). */
  jobs?: number;
  /** A backup whose archive S3 moved to GLACIER or DEEP_ARCHIVE: how it is brought back first. */
  archive?: ThawOptions;
  /** Plan only: check everything, change nothing. */
  dryRun?: boolean;
  /** Clock for default names (tests). */
  now?: Date;
}

/** Into a database the restore creates (default `<db>_restored_<yyyymmddhhmm>`); an existing one is never touched. */
export interface NewDbRestore extends BackupSource {
  into: 'new-db';
  database?: string;
  content: RestoreContent;
  /**
   * The server runs with wal_level=minimal (a new cluster's load): one pg_restore creates and loads each table, so
   * that it wraps the COPY in the creating transaction (with a TRUNCATE) and the rows go into the new file without
   * WAL. Restoring the definitions first in a run of their own, overlapped with the staging, would lose that.
   */
  skipsWal?: boolean;
}

/**
 * Over `target.database`, its name typed back (`confirm`) when the restore destroys data: a full, schema or tables
 * restore drops the backup's objects first (after a safety snapshot, unless `safetySnapshot` is false); a rows
 * restore only adds rows (or overwrites them, with `onConflict: 'overwrite'`).
 */
export interface InPlaceRestore extends BackupSource {
  into: 'in-place';
  content: RestoreContent | RowsContent;
  confirm?: string;
  safetySnapshot: boolean;
  /** How the safety snapshot is encrypted when configured (else as the backup is). */
  safetyEncryption?: EncryptionOption;
}

/** A `--supabase` backup into a fresh Supabase project: its roles, the schema without the managed schemas, the data. */
export interface SupabaseRestore extends BackupSource {
  into: 'supabase';
  /** A new database of that name; without one, `target.database` (the project's `postgres`) as it is. */
  database?: string;
}

export type BackupRestoreRequest = NewDbRestore | InPlaceRestore | SupabaseRestore;

/**
 * A whole backup into a PostgreSQL cluster pgdr creates in `dataDir` (the server is lost and rebuilt): initdb with the
 * archive's server major, a load with durability off, then made durable and started with production settings. The
 * server it restores into is the new cluster, so there is no `target`; `database` only picks `latest` of that database.
 */
export interface NewClusterRestore extends Omit<BackupSource, 'target'> {
  into: 'new-cluster';
  /** A new or empty directory: the new cluster's data directory. */
  dataDir: string;
  /** The port the cluster listens on once restored (loopback unless the template says otherwise). */
  port: number;
  /** The PostgreSQL major to initdb with (default: the archive's server major); never older than the archive's. */
  pgVersion?: number;
  /** The operator's postgresql.conf for after the load; without one, pgdr's safe defaults. */
  confTemplate?: string;
  /** The database whose latest backup `latest` means. */
  database?: string;
  /** The cluster's superuser (default postgres) and its password for TCP logins (given to initdb in a 0600 file). */
  superuser?: string;
  password?: string;
}

/** Every restore pgdr does, decided once where it is asked for (flags, a runbook step, the PITR commands). */
export type RestoreRequest = BackupRestoreRequest | NewClusterRestore | PitrRequest;

export function contentOf(request: BackupRestoreRequest): RestoreContent | RowsContent {
  return request.into === 'supabase' ? { what: 'full' } : request.content;
}

/** In place over whole objects: the backup's objects are dropped first (--clean). */
export function cleans(request: BackupRestoreRequest): request is InPlaceRestore {
  return request.into === 'in-place' && request.content.what !== 'rows';
}

/** Whether it destroys what the target holds, so the database's name must be typed back. */
export function destroysData(request: BackupRestoreRequest): request is InPlaceRestore {
  return request.into === 'in-place' && (request.content.what !== 'rows' || request.content.onConflict === 'overwrite');
}

/** Whether a safety snapshot of the target is taken first. */
export function takesSafetySnapshot(request: BackupRestoreRequest): request is InPlaceRestore {
  return cleans(request) && request.safetySnapshot;
}

/** The database that is created (new-db), or restored over / into as it is (in-place). */
export function restoreMode(request: BackupRestoreRequest): 'new-db' | 'in-place' {
  return request.into === 'new-db' || (request.into === 'supabase' && request.database !== undefined)
    ? 'new-db'
    : 'in-place';
}
