import type { Readable } from 'node:stream';
import type { LockRequest, LockState, SealResult } from './lock-types.js';
import type { ArchiveTiers } from './s3-tiers.js';
import type { StorageClass } from './storage-classes.js';

export interface PutStreamOptions {
  signal?: AbortSignal;
  onProgress?: (bytesWritten: number) => void;
  contentLength?: number;
  /** Expected size (an upper estimate, e.g. the database size): S3 picks parts big enough to stay under 10,000. */
  sizeHint?: number;
  /** S3: write the object under Object Lock retention. */
  lock?: LockRequest;
}

export interface WriteFileOptions {
  /** S3: write the object under Object Lock retention. */
  lock?: LockRequest;
}

export interface GetStreamOptions {
  signal?: AbortSignal;
  onProgress?: (bytesRead: number) => void;
}

export interface ReadFileOptions {
  /** Refuse (StorageError) a file larger than this instead of reading it into memory. */
  maxBytes?: number;
}

export interface ObjectInfo {
  key: string;
  bytes: number;
  modified: Date;
  /** S3: the storage class the listing reports (checked against the known classes, else absent). */
  storageClass?: StorageClass;
}

export interface ObjectStat {
  bytes: number;
  modified: Date;
  etag?: string;
}

export interface RepositoryLock {
  release(): Promise<void>;
}

/**
 * Where backups live: a local directory or s3://bucket/prefix. Keys are relative POSIX paths such as
 * "backups/<id>/manifest.json"; every operator-facing failure is a StorageError (or BackupLocked / Aborted) with a hint.
 */
export interface Repository {
  /** Display form, no secrets: "/abs/path" or "s3://bucket/prefix". */
  readonly url: string;
  /** Reading an object downloads it (S3): a reader that needs a file more than once fetches it once. */
  readonly remote: boolean;
  /** Streams body to key; nothing is visible under key unless the whole stream arrived. */
  putStream(key: string, body: Readable, opts?: PutStreamOptions): Promise<{ bytes: number }>;
  /** Small files, atomic. */
  writeFile(key: string, data: string | Buffer, opts?: WriteFileOptions): Promise<void>;
  readFile(key: string, opts?: ReadFileOptions): Promise<Buffer>;
  getStream(key: string, opts?: GetStreamOptions): Promise<{ stream: Readable; bytes: number }>;
  stat(key: string): Promise<ObjectStat | null>;
  /** Recursive, keys relative to the repository root, sorted. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Immediate "subdirectory" names under prefix, sorted: listDirs("backups/") gives the backup ids. */
  listDirs(prefix: string): Promise<string[]>;
  remove(keys: string[]): Promise<void>;
  /**
   * Claims the directory `prefix` for something new (a backup): true when nothing was there and it is now ours; false
   * when anything already exists under it, which must then not be reused.
   */
  claimDir(prefix: string): Promise<boolean>;
  /** Deletes everything under prefix (a whole backup directory), including unfinished uploads. */
  removePrefix(prefix: string): Promise<void>;
  /** S3 only: aborts unfinished multipart uploads under prefix whose key (relative to the root) `which` picks. */
  abortUploads?(prefix: string, which: (key: string) => boolean): Promise<string[]>;
  /** Exclusive lock named by a key such as "locks/backup-<db>"; throws BackupLocked naming the holder. */
  lock(name: string): Promise<RepositoryLock>;
  freeBytes(): Promise<{ free: number; total: number } | undefined>;
  /**
   * What keeps each of `keys` from being deleted: S3 Object Lock retention still in force, or (local) a file made
   * immutable or read-only. Keys without any protection, or missing, are left out.
   */
  lockStates(keys: string[]): Promise<Map<string, LockState>>;
  /** Local: makes the files of `keys` read-only and, where the file system and privileges allow, immutable. */
  seal?(keys: string[]): Promise<SealResult>;
  /** Local: undoes seal, so the files can be removed (prune does it once the lock's date has passed). */
  unseal?(keys: string[]): Promise<void>;
  /** S3: storage classes, restores from archive, lifecycle rules, and whether the bucket has Object Lock. */
  readonly tiers?: ArchiveTiers;
  /** Checks the repository is reachable and writable by writing, reading and removing a probe object. */
  probe(): Promise<void>;
}
