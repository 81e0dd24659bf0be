import { PassThrough, type Readable } from 'node:stream';
import { Aborted, StorageError, errorMessage } from '../core/errors.js';
import { redact } from '../core/secrets.js';

export interface ResumableReadOptions {
  /** How many times a dropped body is picked up again before giving up. */
  retries?: number;
  backoffMs?: number;
  signal?: AbortSignal;
}

/**
 * An object body that survives dropped connections: when the body breaks off, the rest is asked for again from the
 * byte it stopped at (`open(start)` sends a Range request); after `retries` breaks, one StorageError that says so.
 */
export function resumableRead(
  first: Readable,
  total: number,
  target: string,
  open: (start: number) => Promise<Readable>,
  options: ResumableReadOptions = {},
): Readable {
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const out = new PassThrough();
  let received = 0;
  let breaks = 0;

  const pump = (body: Readable) => {
    let settled = false;
    const broke = (error: unknown) => {
      if (settled) return;
      settled = true;
      body.destroy();
      void retry(error);
    };
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => body.resume());
      }
    });
    body.on('error', broke);
    body.on('end', () => {
      if (received >= total) {
        settled = true;
        out.end();
      } else broke(new Error(`the body ended after ${received} of ${total} bytes`));
    });
  };

  const retry = async (error: unknown): Promise<void> => {
    if (out.destroyed) return;
    if (options.signal?.aborted) return void out.destroy(new Aborted(`Reading ${target} was aborted.`));
    if (++breaks > retries) {
      const why = redact(errorMessage(error));
      return void out.destroy(
        new StorageError(
          `Reading ${target} broke off ${breaks} times; the last time after ${received} of ${total} bytes (${why}).`,
          {
            hint: 'The connection to the S3 endpoint keeps dropping: check the network path to it (proxy, firewall, endpoint health), then retry.',
            cause: error,
          },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, backoffMs * breaks));
    try {
      pump(await open(received));
    } catch (reopen) {
      await retry(reopen);
    }
  };

  pump(first);
  return out;
}
