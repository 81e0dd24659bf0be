import { pipeline, type Readable } from 'node:stream';
import { type ByteCounter } from './byte-counter.js';
import { cjsExports } from '../core/cjs-interop.js';
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
 * Multipart upload with at most QUEUE_SIZE parts in memory. An abort destroys the source instead of using the
 * Upload's own abort, which would settle before the multipart upload is aborted on the server.
 */
export async function uploadStream(
  conn: S3Connection,
  target: { Bucket: string; Key: string },
  body: Readable,
  opts: PutStreamOptions,
  partSize: number,
  counter: ByteCounter,
): Promise<void> {
  const { Upload } = cjsExports(await import('@aws-sdk/lib-storage'), 'Upload');
  const counted = pipeline(body, counter, () => {});
  const upload = new Upload({
    client: conn.client,
    params: {
      ...target,
      Body: counted,
      ...(opts.contentLength === undefined ? {} : { ContentLength: opts.contentLength }),
    },
    queueSize: QUEUE_SIZE,
    partSize: partSizeFor(partSize, opts.sizeHint),
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (progress) => {
    if (progress.loaded !== undefined) opts.onProgress?.(progress.loaded);
  });
  const onAbort = () => counter.destroy(Object.assign(new Error('Upload aborted.'), { name: 'AbortError' }));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  try {
    await upload.done();
  } catch (error) {
    body.destroy();
    await abortLeftover(conn, target, (upload as unknown as { uploadId?: string }).uploadId);
    throw error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
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
