import type { Readable } from 'node:stream';
import { Aborted, isPgdrError, type PgdrError, StorageError, errorMessage } from '../core/errors.js';
import { redact } from '../core/secrets.js';

/**
 * Remembers the first error the producer's stream raised, so a failed put can blame the data and not the storage.
 * Teardown errors are skipped: a pipeline that fails on the storage side destroys the source with one of those.
 */
export function watchSource(body: Readable): { error?: unknown } {
  const seen: { error?: unknown } = {};
  body.on('error', (error: NodeJS.ErrnoException) => {
    if (error.name === 'AbortError' || error.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    seen.error ??= error;
  });
  return seen;
}

/**
 * Why a put failed, in the order an operator needs it: they aborted it; the producer (pg_dump, encryption) failed;
 * else the storage itself failed (`storageError`).
 */
export function putFailure(
  target: string,
  bytes: number,
  signal: AbortSignal | undefined,
  source: { error?: unknown },
  storageError: () => PgdrError,
): PgdrError {
  if (signal?.aborted) return new Aborted(`Writing ${target} was aborted after ${bytes} bytes; nothing was kept.`);
  const error = source.error;
  if (error === undefined) return storageError();
  if (isPgdrError(error)) return error;
  const message = redact(errorMessage(error));
  return new StorageError(`The data for ${target} failed after ${bytes} bytes: ${message}`, {
    hint: 'Nothing was kept in the repository; fix the cause above and retry.',
    cause: error,
  });
}
