import { pipeline, type Readable } from 'node:stream';
import { type ByteCounter } from './byte-counter.js';
import type { S3Connection } from './s3-client.js';
import { s3Status } from './s3-errors.js';
import type { PutStreamOptions } from './repository.js';

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
// Three parts in flight keep the upload as fast as the local disk here while holding memory to ~3 parts.
const QUEUE_SIZE = 3;
const MAX_PARTS = 10_000;

/** Parts of at least `minimum`, larger when the expected size would need more than S3's 10,000 parts. */
export function partSizeFor(minimum: number, sizeHint: number | undefined): number {
  if (!sizeHint) return minimum;
  const mib = 1024 * 1024;
  return Math.max(minimum, Math.ceil((sizeHint * 1.5) / (MAX_PARTS - 500) / mib) * mib);
}

/**
 * Multipart upload from QUEUE_SIZE part buffers allocated once and refilled, each part copied once from the stream:
 * memory stays at QUEUE_SIZE parts whatever the object's size. (lib-storage's Upload concatenated every part into a
 * new buffer and the spent ones waited for the garbage collector: a backup of 810 MiB peaked at 184 MiB against
 * 115 MiB into a local directory.) A body shorter than one part goes up in one PutObject. An abort destroys the
 * source; a failure aborts the multipart upload, so no parts are left to bill.
 */
export async function uploadStream(
  conn: S3Connection,
  target: { Bucket: string; Key: string },
  body: Readable,
  opts: PutStreamOptions,
  partSize: number,
  counter: ByteCounter,
): Promise<void> {
  const size = partSizeFor(partSize, opts.sizeHint);
  const parts = new PartReader(
    pipeline(body, counter, () => {}),
    size,
  );
  const onAbort = () => counter.destroy(Object.assign(new Error('Upload aborted.'), { name: 'AbortError' }));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const sendOptions = { abortSignal: opts.signal };
  let uploadId: string | undefined;
  try {
    const first = Buffer.allocUnsafe(size);
    const head = (await parts.next(first))!;
    if (parts.ended) {
      const Body = first.subarray(0, head.bytes);
      await conn.client.send(
        new conn.sdk.PutObjectCommand({ ...target, Body, ContentLength: head.bytes }),
        sendOptions,
      );
      opts.onProgress?.(head.bytes);
      return;
    }
    const created = await conn.client.send(new conn.sdk.CreateMultipartUploadCommand(target), sendOptions);
    uploadId = created.UploadId;
    const { Bucket, Key } = target;
    const done: { PartNumber: number; ETag?: string }[] = [];
    let uploaded = 0;
    let failed = false;
    const worker = async (buffer: Buffer, part: Part | undefined) => {
      for (; !failed && part; part = failed ? undefined : await parts.next(buffer)) {
        const out = await conn.client.send(
          new conn.sdk.UploadPartCommand({
            ...{ Bucket, Key, UploadId: uploadId, PartNumber: part.number },
            ...{ Body: buffer.subarray(0, part.bytes), ContentLength: part.bytes },
          }),
          sendOptions,
        );
        done.push({ PartNumber: part.number, ETag: out.ETag });
        opts.onProgress?.((uploaded += part.bytes));
      }
    };
    const workers = [worker(first, head)];
    for (let i = 1; i < QUEUE_SIZE && !parts.ended; i++) {
      const buffer = Buffer.allocUnsafe(size);
      workers.push(parts.next(buffer).then((part) => worker(buffer, part)));
    }
    const settled = await Promise.allSettled(
      workers.map((w) => w.catch((e: unknown) => ((failed = true), Promise.reject(e)))),
    );
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    done.sort((x, y) => x.PartNumber - y.PartNumber);
    await conn.client.send(
      new conn.sdk.CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
      sendOptions,
    );
  } catch (error) {
    body.destroy();
    await abortLeftover(conn, target, uploadId);
    throw error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

interface Part {
  number: number;
  bytes: number;
}

/** Fills the caller's buffer with the stream's next part, one caller at a time, numbering the parts in order. */
class PartReader {
  ended = false;
  private readonly chunks: AsyncIterator<Buffer>;
  private rest: Buffer | undefined;
  private numbered = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    stream: Readable,
    private readonly size: number,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next part, in `buffer`; undefined when the stream has ended (the first part is returned even when empty). */
  next(buffer: Buffer): Promise<Part | undefined> {
    const part = this.queue.then(() => this.fill(buffer));
    this.queue = part.catch(() => {});
    return part;
  }

  private async fill(buffer: Buffer): Promise<Part | undefined> {
    let bytes = 0;
    while (bytes < this.size) {
      let chunk = this.rest;
      this.rest = undefined;
      if (!chunk) {
        if (this.ended) break;
        const read = await this.chunks.next();
        if (read.done) {
          this.ended = true;
          break;
        }
        chunk = read.value;
      }
      const taken = Math.min(chunk.length, this.size - bytes);
      chunk.copy(buffer, bytes, 0, taken);
      bytes += taken;
      if (taken < chunk.length) this.rest = chunk.subarray(taken);
    }
    if (bytes === 0 && this.numbered > 0) return undefined;
    if (++this.numbered > MAX_PARTS)
      throw new Error(`More than ${MAX_PARTS} parts of ${this.size} bytes: the object is larger than its size hint.`);
    return { number: this.numbered, bytes };
  }
}

/** Belt and braces: lib-storage aborts on failure, but a leftover upload keeps billing parts forever. */
async function abortLeftover(
  conn: S3Connection,
  target: { Bucket: string; Key: string },
  uploadId: string | undefined,
) {
  if (!uploadId) return;
  await conn.client
    .send(new conn.sdk.AbortMultipartUploadCommand({ ...target, UploadId: uploadId }))
    .catch((error: unknown) => {
      if (s3Status(error) !== 404) throw error;
    });
}

/** Aborts the unfinished multipart uploads under a prefix (a crashed run's parts) that `which` picks; returns their keys. */
export async function abortUploadsUnder(
  conn: S3Connection,
  Bucket: string,
  Prefix: string,
  which: (key: string) => boolean = () => true,
): Promise<string[]> {
  const aborted: string[] = [];
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await conn.client.send(
        new conn.sdk.ListMultipartUploadsCommand({ Bucket, Prefix, KeyMarker, UploadIdMarker }),
      );
    } catch (error) {
      // Quiet where unsupported.
      if (s3Status(error) === 501) return aborted;
      throw error;
    }
    for (const u of page.Uploads ?? []) {
      if (!which(u.Key ?? '')) continue;
      await abortLeftover(conn, { Bucket, Key: u.Key ?? '' }, u.UploadId);
      aborted.push(u.Key ?? '');
    }
    if (!page.IsTruncated) return aborted;
    KeyMarker = page.NextKeyMarker;
    UploadIdMarker = page.NextUploadIdMarker;
  }
}
