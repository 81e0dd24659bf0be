export { backupStorageFiles, type BackupFilesOptions } from './backup-files.js';
export { restoreStorageFiles, type RestoreFilesOptions, type RestoreFilesResult } from './restore-files.js';
export { openStorageSource, type StorageSource, type SourceObject } from './source.js';
export { listFileSnapshots, readFilesManifest, type FilesManifest, type FileEntry } from './files-manifest.js';
export { pruneStorageFiles, type PruneFilesResult } from './prune-files.js';
