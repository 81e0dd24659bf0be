/**
 * The manifest is the backup: written last and atomically at `<repo>/backups/<id>/manifest.json`. A directory
 * without one is an unfinished or failed backup and is never listed, restored or counted by retention.
 */

/** A table named by its two parts, never joined into one string: `"s.p".t` and `s."p.t"` stay two tables. */
export interface TableName {
  schema: string;
  table: string;
}

/** One table of the manifest: how many rows it held in the dump's snapshot, and where it sits in an inheritance tree. */
export interface ManifestTable extends TableName {
  /** Rows of this table alone (`count(*) from only …`), which is what its TABLE DATA entry in the archive holds. */
  rows: number;
  /** The tables it inherits from (a partition names its partitioned table). */
  parents?: TableName[];
  /** Read from a format-1 manifest, counted with `count(*)`: a parent's rows include its inheritance children's. */
  withChildren?: true;
}

export type BackupKind = 'full' | 'schema' | 'tables';
export type DumpFormat = 'custom' | 'directory';

export interface ManifestFile {
  /** Path relative to the backup's directory, e.g. "data.dump.age" or "data/3012.dat.zst.age". */
  path: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  /** 2 lists the tables structured (`tableRows`); 1 keyed their counts "schema.table" (`rowCounts`). */
  formatVersion: 1 | 2;
  id: string;
  kind: BackupKind;
  database: string;
  /** Redacted connection URL of the source. */
  source: string;
  /** The recovery point: the time of the exported snapshot the dump and the row counts were taken in. */
  snapshotTime: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  server: { version: string; major: number };
  tools: { pg_dump: string };
  pgdrVersion: string;
  format: DumpFormat;
  /** What pg_dump wrote ("none", "gzip:1", …) and what pgdr streams through ("zstd:3", "none"). */
  compression: { dump: string; stream: string };
  encryption: null | { format: 'age'; recipients: string[]; passphrase: boolean };
  /** Tables included with --table (kind "tables"); schemas left out (--supabase). */
  tables?: string[];
  excludedSchemas?: string[];
  supabase?: boolean;
  /** Sum of the files' sizes as stored. */
  bytes: number;
  /** pg_database_size at the time of the backup. */
  databaseBytes: number;
  files: ManifestFile[];
  /**
   * Every table's own rows (`count(*) from only`), counted in the same snapshot as the dump, and its inheritance
   * parents. Read it through manifestTables(), which also reads format 1's `rowCounts`.
   */
  tableRows?: ManifestTable[];
  /** Format 1: "schema.table" (unquoted, so ambiguous for dotted names) → `count(*)`, children's rows included. */
  rowCounts?: Record<string, number>;
  /**
   * Custom format: where each entry's data block starts in the plaintext archive ("dumpId" → byte offset). pg_dump
   * cannot record these when it writes to a pipe; a parallel restore writes them into the staged archive.
   */
  dataOffsets?: Record<string, number>;
  /** Files stored beside the archive (roles.sql for --supabase), also checksummed. */
  extras?: ManifestFile[];
  host: string;
  operator: string;
  /**
   * The lock asked for when the backup was taken: S3 Object Lock retention on every object, or (local) files made
   * read-only and immutable. On S3 the bucket's own answer is what counts; locally this is the only record of the date.
   */
  lock?: { mode: 'governance' | 'compliance' | 'local'; until: string };
}

export interface VerificationResult {
  backupId: string;
  verifiedAt: string;
  ok: boolean;
  checksum: 'ok' | 'mismatch' | 'missing';
  decrypted?: boolean;
  restoreTest?: {
    scratchDatabase: string;
    tablesChecked: number;
    mismatches: { table: string; expected: number; actual: number | null }[];
    objects: {
      policies: number;
      indexes: number;
      functions: number;
      extensions: string[];
      triggers: number;
      views: number;
    };
    durationMs: number;
  };
  errors: string[];
}

export const MANIFEST = 'manifest.json';
export const VERIFICATION = 'verification.json';
export const CHECKSUMS = 'SHA256SUMS';
