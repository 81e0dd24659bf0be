import { pipeline, type Readable } from 'node:stream';
import { StorageError } from '../core/errors.js';
import { ByteCounter } from './byte-counter.js';
import { asDirPrefix, checkKey, checkPrefix } from './keys.js';
import { connectS3, s3Endpoint, type S3Connection, type S3Options } from './s3-client.js';
import { isS3NotFound, s3Error, s3Status } from './s3-errors.js';
import { acquireS3Lock } from './s3-lock.js';
import { abortUploadsUnder, DEFAULT_PART_SIZE, uploadStream } from './s3-upload.js';
import { putFailure, watchSource } from './stream-errors.js';
import { probeByRoundTrip } from './probe.js';
import { resumableRead } from './s3-resumable-read.js';
import { tooLarge } from './too-large.js';
import { ArchiveTiers } from './s3-tiers.js';
import { isStorageClass } from './storage-classes.js';
import type { LockRequest, LockState } from './lock-types.js';
import type {
  GetStreamOptions,
  ObjectInfo,
  ObjectStat,
  PutStreamOptions,
  ReadFileOptions,
  Repository,
  RepositoryLock,
  WriteFileOptions,
} from './repository.js';

const DELETE_BATCH = 1000;

export class S3Repository implements Repository {
  readonly remote = true;
  readonly url: string;
  private connection: Promise<S3Connection> | undefined;
  /** Learned on the first lock: some S3-compatible services reject If-None-Match. */
  private conditionalWrites = true;

  readonly tiers: ArchiveTiers;

  /** `prefix` is "" or ends with "/". */
  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly opts: S3Options = {},
  ) {
    this.url = `s3://${bucket}${prefix ? `/${prefix.replace(/\/$/, '')}` : ''}`;
    this.tiers = new ArchiveTiers(bucket, prefix, (action, key, fn) => this.run(action, key, fn));
  }

  /**
   * Object Lock parameters for a write. S3 refuses a write under retention (asked for, or the bucket's default)
   * without a checksum header, so one is sent whenever the bucket has Object Lock.
   */
  private async lockParams(lock: LockRequest | undefined): Promise<Record<string, unknown>> {
    const checksum = lock || (await this.tiers.objectLockEnabled()) ? { ChecksumAlgorithm: 'CRC32' } : {};
    if (!lock) return checksum;
    return {
      ...checksum,
      ObjectLockMode: lock.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE',
      ObjectLockRetainUntilDate: lock.until,
    };
  }

  private async run<T>(action: string, key: string, fn: (c: S3Connection) => Promise<T>): Promise<T> {
    try {
      this.connection ??= connectS3(this.opts);
      return await fn(await this.connection);
    } catch (error) {
      throw s3Error(error, action, key ? `${this.url}/${key}` : this.url, s3Endpoint(this.opts));
    }
  }

  private objectKey(key: string): string {
    return this.prefix + checkKey(key);
  }

  private async *pages(c: S3Connection, Prefix: string, Delimiter?: string) {
    let ContinuationToken: string | undefined;
    do {
      const page = await c.client.send(
        new c.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix, Delimiter, ContinuationToken }),
      );
      yield page;
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async putStream(key: string, body: Readable, opts: PutStreamOptions = {}): Promise<{ bytes: number }> {
    const counter = new ByteCounter();
    const source = watchSource(body);
    try {
      const target = {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ...(await this.lockParams(opts.lock)),
      };
      this.connection ??= connectS3(this.opts);
      await uploadStream(await this.connection, target, body, opts, this.opts.s3PartSize ?? DEFAULT_PART_SIZE, counter);
      return { bytes: counter.bytes };
    } catch (error) {
      body.destroy();
      const url = `${this.url}/${key}`;
      throw putFailure(url, counter.bytes, opts.signal, source, () =>
        s3Error(error, 'writing', url, s3Endpoint(this.opts)),
      );
    }
  }

  async writeFile(key: string, data: string | Buffer, opts: WriteFileOptions = {}): Promise<void> {
    const Key = this.objectKey(key);
    const lock = await this.lockParams(opts.lock);
    await this.run('writing', key, (c) =>
      c.client.send(new c.sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ...lock })),
    );
  }

  async readFile(key: string, opts: ReadFileOptions = {}): Promise<Buffer> {
    const Key = this.objectKey(key);
    // One byte past the cap says "too large" without downloading the rest.
    const Range = opts.maxBytes === undefined ? undefined : `bytes=0-${opts.maxBytes}`;
    const data = await this.run('reading', key, async (c) => {
      const out = await c.client.send(new c.sdk.GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    });
    if (opts.maxBytes !== undefined && data.length > opts.maxBytes)
      throw tooLarge(`${this.url}/${key}`, undefined, opts.maxBytes);
    return data;
  }

  async getStream(key: string, opts: GetStreamOptions = {}): Promise<{ stream: Readable; bytes: number }> {
    const Key = this.objectKey(key);
    return this.run('reading', key, async (c) => {
      const out = await c.client.send(new c.sdk.GetObjectCommand({ Bucket: this.bucket, Key }), {
        abortSignal: opts.signal,
      });
      const bytes = out.ContentLength ?? 0;
      // The SDK retries requests, not a body that breaks off midway: that is picked up again from where it stopped.
      const reopen = async (start: number) =>
        (
          await c.client.send(new c.sdk.GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${start}-` }), {
            abortSignal: opts.signal,
          })
        ).Body as Readable;
      const body = resumableRead(out.Body as Readable, bytes, `${this.url}/${key}`, reopen, { signal: opts.signal });
      const counter = new ByteCounter(opts.onProgress);
      return { stream: pipeline(body, counter, () => {}), bytes };
    });
  }

  async stat(key: string): Promise<ObjectStat | null> {
    const Key = this.objectKey(key);
    return this.run('reading', key, async (c) => {
      try {
        const out = await c.client.send(new c.sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
        return {
          bytes: out.ContentLength ?? 0,
          modified: out.LastModified ?? new Date(0),
          ...(out.ETag ? { etag: out.ETag } : {}),
        };
      } catch (error) {
        if (isS3NotFound(error)) return null;
        throw error;
      }
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const Prefix = this.prefix + checkPrefix(prefix);
    return this.run('listing', prefix, async (c) => {
      const out: ObjectInfo[] = [];
      for await (const page of this.pages(c, Prefix)) {
        for (const o of page.Contents ?? []) {
          if (o.Key)
            out.push({
              key: o.Key.slice(this.prefix.length),
              bytes: o.Size ?? 0,
              modified: o.LastModified ?? new Date(0),
              ...(isStorageClass(o.StorageClass) ? { storageClass: o.StorageClass } : {}),
            });
        }
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  async listDirs(prefix: string): Promise<string[]> {
    const Prefix = this.prefix + asDirPrefix(prefix);
    return this.run('listing', prefix, async (c) => {
      const names: string[] = [];
      for await (const page of this.pages(c, Prefix, '/')) {
        for (const p of page.CommonPrefixes ?? [])
          if (p.Prefix) names.push(p.Prefix.slice(Prefix.length).replace(/\/$/, ''));
      }
      return names.sort();
    });
  }

  async remove(keys: string[]): Promise<void> {
    const objects = keys.map((k) => ({ Key: this.objectKey(k) }));
    await this.run('removing', keys[0] ?? '', async (c) => {
      for (let i = 0; i < objects.length; i += DELETE_BATCH) {
        const Delete = { Objects: objects.slice(i, i + DELETE_BATCH), Quiet: true };
        const out = await c.client.send(new c.sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete }));
        const failed = out.Errors?.[0];
        if (failed) {
          throw new StorageError(
            `S3 could not delete ${this.url}/${failed.Key}: ${failed.Code} ${failed.Message ?? ''}`.trim(),
            {
              hint: 'Check the key may delete objects in this bucket (s3:DeleteObject), then retry.',
            },
          );
        }
      }
    });
  }

  /** S3 has no directories: the prefix is ours when no object is under it (the backup's lock keeps others out). */
  async claimDir(prefix: string): Promise<boolean> {
    const dirPrefix = asDirPrefix(prefix);
    return this.run('listing', dirPrefix, async (c) => {
      const page = await c.client.send(
        new c.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + dirPrefix, MaxKeys: 1 }),
      );
      return (page.KeyCount ?? page.Contents?.length ?? 0) === 0;
    });
  }

  async removePrefix(prefix: string): Promise<void> {
    const dirPrefix = asDirPrefix(prefix);
    if (dirPrefix === '') {
      throw new StorageError('Refusing to remove the whole repository.', {
        hint: 'Name the backup directory to remove.',
      });
    }
    await this.remove((await this.list(dirPrefix)).map((o) => o.key));
    await this.run('removing uploads under', dirPrefix, (c) =>
      abortUploadsUnder(c, this.bucket, this.prefix + dirPrefix),
    );
  }

  async abortUploads(prefix: string, which: (key: string) => boolean): Promise<string[]> {
    const Prefix = this.prefix + checkPrefix(prefix);
    const aborted = await this.run('removing uploads under', prefix, (c) =>
      abortUploadsUnder(c, this.bucket, Prefix, (key) => which(key.slice(this.prefix.length))),
    );
    return aborted.map((key) => key.slice(this.prefix.length));
  }

  lock(name: string): Promise<RepositoryLock> {
    const Key = this.objectKey(name);
    return acquireS3Lock(
      {
        location: `${this.url}/${name}`,
        read: async () =>
          this.readFile(name).catch((error: unknown) =>
            isS3NotFound((error as Error).cause) ? null : Promise.reject(error),
          ),
        create: (body) => this.run('locking', name, (c) => this.createIfAbsent(c, Key, body)),
        remove: () => this.remove([name]),
      },
      name,
    );
  }

  private async createIfAbsent(c: S3Connection, Key: string, Body: string): Promise<'created' | 'exists'> {
    if (this.conditionalWrites) {
      try {
        const checksum = await this.lockParams(undefined);
        await c.client.send(
          new c.sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body, IfNoneMatch: '*', ...checksum }),
        );
        return 'created';
      } catch (error) {
        const status = s3Status(error);
        if (status === 412 || status === 409) return 'exists';
        if (status !== 501 && status !== 400) throw error;
        this.conditionalWrites = false;
      }
    }
    await c.client.send(
      new c.sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body, ...(await this.lockParams(undefined)) }),
    );
    return 'created';
  }

  async freeBytes(): Promise<undefined> {
    return undefined;
  }

  lockStates(keys: string[]): Promise<Map<string, LockState>> {
    return this.tiers.lockStates(keys.map(checkKey));
  }

  probe(): Promise<void> {
    return probeByRoundTrip(this);
  }
}
