import { StorageError } from '../core/errors.js';
import { formatBytes } from '../core/format-bytes.js';
import { printable } from '../core/printable.js';

/** A small file (a manifest, a record) that is not small: read no further than the cap. */
export function tooLarge(location: string, bytes: number | undefined, maxBytes: number): StorageError {
  return new StorageError(
    `${printable(location)} is ${bytes === undefined ? 'larger than' : `${formatBytes(bytes)}, over`} the ${formatBytes(maxBytes)} pgdr reads for such a file.`,
    { hint: 'It is not a file pgdr wrote; pgdr leaves it alone. Look at who put it there.' },
  );
}
