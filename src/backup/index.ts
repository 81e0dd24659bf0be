export { takeBackup, formatBytes, type BackupOptions, type BackupResult } from './take-backup.js';
export { listBackups, findBackup, type Catalog, type CatalogEntry, type BackupFilter } from './catalog.js';
export { verifyBackup, type VerifyOptions } from './verify.js';
export {
  prune,
  planRetention,
  DEFAULT_RETENTION,
  type RetentionPolicy,
  type PruneDecision,
  type PruneResult,
} from './retention.js';
export { parseCompression, decompressStage, HashStage, type CompressionChoice } from './compression.js';
export {
  requireKeys,
  plaintextStages,
  checkStoredFile,
  checkPlaintext,
  openStored,
  downloadDirectory,
  type ArchiveKeys,
  type EncryptionOption,
} from './archive.js';
export { makeBackupId, backupDir } from './backup-id.js';
export * from './manifest.js';
