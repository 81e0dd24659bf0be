import { isPgdrError, type PgdrError, StorageError, errorMessage } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { printable } from '../core/printable.js';
import { linkRefused } from './local-paths.js';

/** Turns a file-system error into a StorageError that says what happened and what to do next. */
export function localError(error: unknown, action: string, path: string): PgdrError {
  if (isPgdrError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = redact(errorMessage(error));
  switch (code) {
    case 'ELOOP':
      return linkRefused(path);
    case 'EISDIR':
      return new StorageError(`${printable(path)} is not a regular file.`, {
        hint: 'Something unexpected sits in the repository where pgdr keeps a file; look at it and move it away.',
        cause: error,
      });
    case 'ENOENT':
      return new StorageError(`Not found: ${path}.`, {
        hint: 'Check the repository path (--repo) and the backup id; `pgdr backups list` shows what exists.',
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError(`No space left while ${action} ${path}.`, {
        hint: `Free space on that disk (df -h ${path}) or point --repo at a larger one, then retry.`,
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new StorageError(`Permission denied while ${action} ${path}.`, {
        hint: 'Run pgdr as the user that owns the repository directory, or fix its owner and mode.',
        cause: error,
      });
    case 'EROFS':
      return new StorageError(`The file system holding ${path} is read-only.`, {
        hint: 'Point --repo at a writable directory.',
        cause: error,
      });
    default:
      return new StorageError(`Failed ${action} ${path}: ${message}`, {
        hint: 'Check the repository directory is on a healthy, mounted disk and retry.',
        cause: error,
      });
  }
}
