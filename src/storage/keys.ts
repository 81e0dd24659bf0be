import { StorageError } from '../core/errors.js';

/** Keys are relative POSIX paths without "." / ".." segments, so no key can escape the repository root. */
export function checkKey(key: string): string {
  const segments = key.split('/');
  const bad =
    key === '' || key.includes('\\') || key.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) {
    throw new StorageError(`Invalid repository key "${key}".`, {
      hint: 'Keys are relative paths like "backups/<id>/manifest.json"; this is a bug in the caller, please report it.',
    });
  }
  return key;
}

/** A prefix is "" (the whole repository) or a key prefix such as "backups/" or "backups/2025". */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** "backups/x" → "backups/x/" so a directory prefix never matches "backups/x2". */
export function asDirPrefix(prefix: string): string {
  checkPrefix(prefix);
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}
