import type { LifecycleRule } from '@aws-sdk/client-s3';
import type { S3Connection } from './s3-client.js';
import { s3Status } from './s3-errors.js';
import { isStorageClass, type StorageClass } from './storage-classes.js';
import type { LockRequest, LockState } from './lock-types.js';

/** Where an object sits: its class and, for an archived one, whether a readable copy is being made or is there. */
export interface ObjectTier {
  storageClass: StorageClass;
  /** Absent: never restored (or not archived). */
  restore?: { ongoing: boolean; expires?: Date };
  bytes: number;
  lock?: LockState;
}

export type RestoreTier = 'Expedited' | 'Standard' | 'Bulk';

type Run = <T>(action: string, key: string, fn: (c: S3Connection) => Promise<T>) => Promise<T>;

// Objects up to 5 GiB are copied in one request; larger ones part by part (UploadPartCopy), as S3 requires.
const SINGLE_COPY_MAX = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 ** 2;

/** S3's archive tiers, restores and lifecycle rules for one repository (bucket + prefix). */
export class ArchiveTiers {
  private lockEnabled: Promise<boolean> | undefined;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly run: Run,
  ) {}

  /** Whether the bucket has Object Lock enabled (asked once); unknown (no permission, not supported) counts as no. */
  objectLockEnabled(): Promise<boolean> {
    this.lockEnabled ??= this.run('reading the Object Lock configuration of', '', async (c) => {
      try {
        const out = await c.client.send(new c.sdk.GetObjectLockConfigurationCommand({ Bucket: this.bucket }));
        return out.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
      } catch {
        return false;
      }
    });
    return this.lockEnabled;
  }

  /** HeadObject per key (eight at a time), only when the bucket has Object Lock: otherwise nothing can be locked. */
  async lockStates(keys: string[]): Promise<Map<string, LockState>> {
    const states = new Map<string, LockState>();
    if (!keys.length || !(await this.objectLockEnabled())) return states;
    for (let i = 0; i < keys.length; i += 8) {
      await Promise.all(
        keys.slice(i, i + 8).map(async (key) => {
          const lock = (await this.state(key))?.lock;
          if (lock) states.set(key, lock);
        }),
      );
    }
    return states;
  }

  /** HeadObject: class (STANDARD when S3 names none), restore state and retention. null when there is no object. */
  async state(key: string): Promise<ObjectTier | null> {
    return this.run('reading', key, async (c) => {
      try {
        const out = await c.client.send(new c.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
        const lock = lockOf(out.ObjectLockMode, out.ObjectLockRetainUntilDate, out.ObjectLockLegalHoldStatus);
        const restore = parseRestore(out.Restore);
        return {
          storageClass: isStorageClass(out.StorageClass) ? out.StorageClass : 'STANDARD',
          bytes: out.ContentLength ?? 0,
          ...(restore ? { restore } : {}),
          ...(lock ? { lock } : {}),
        };
      } catch (error) {
        if (s3Status(error) === 404) return null;
        throw error;
      }
    });
  }

  /**
   * Rewrites the object in place in `storageClass` (CopyObject with the new class; metadata, tags and, when given,
   * the retention carried over). The content, and so the manifest's sha256, is unchanged.
   */
  async moveTo(key: string, storageClass: StorageClass, bytes: number, lock?: LockRequest): Promise<void> {
    const Key = this.prefix + key;
    const CopySource = `${this.bucket}/${Key.split('/').map(encodeURIComponent).join('/')}`;
    const retention = lock ? { ObjectLockMode: upper(lock.mode), ObjectLockRetainUntilDate: lock.until } : {};
    await this.run('moving to a colder storage class', key, async (c) => {
      if (bytes <= SINGLE_COPY_MAX) {
        await c.client.send(
          new c.sdk.CopyObjectCommand({
            Bucket: this.bucket,
            Key,
            CopySource,
            StorageClass: storageClass,
            MetadataDirective: 'COPY',
            TaggingDirective: 'COPY',
            ...retention,
          }),
        );
        return;
      }
      const head = await c.client.send(new c.sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      const { UploadId } = await c.client.send(
        new c.sdk.CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          StorageClass: storageClass,
          ContentType: head.ContentType,
          Metadata: head.Metadata,
          ...retention,
        }),
      );
      try {
        const Parts = [];
        for (let start = 0, n = 1; start < bytes; start += COPY_PART, n++) {
          const end = Math.min(bytes, start + COPY_PART) - 1;
          const part = await c.client.send(
            new c.sdk.UploadPartCopyCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: n,
              CopySource,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          Parts.push({ PartNumber: n, ETag: part.CopyPartResult?.ETag });
        }
        await c.client.send(
          new c.sdk.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts } }),
        );
      } catch (error) {
        await c.client
          .send(new c.sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
          .catch(() => {});
        throw error;
      }
    });
  }

  /** RestoreObject: asks S3 for a readable copy of an archived object for `days`. */
  async requestRestore(key: string, days: number, tier: RestoreTier): Promise<'started' | 'in progress' | 'restored'> {
    return this.run('requesting a restore of', key, async (c) => {
      try {
        const out = await c.client.send(
          new c.sdk.RestoreObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + key,
            RestoreRequest: { Days: days, GlacierJobParameters: { Tier: tier } },
          }),
        );
        // 202: a restore was started; 200: a restored copy exists already (its expiry was extended).
        return out.$metadata.httpStatusCode === 200 ? 'restored' : 'started';
      } catch (error) {
        if ((error as { name?: string }).name === 'RestoreAlreadyInProgress' || s3Status(error) === 409)
          return 'in progress';
        throw error;
      }
    });
  }

  /** The bucket's lifecycle rules; none when it has no configuration. */
  async lifecycleRules(): Promise<LifecycleRule[]> {
    return this.run('reading the lifecycle configuration of', '', async (c) => {
      try {
        return (
          (await c.client.send(new c.sdk.GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }))).Rules ?? []
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchLifecycleConfiguration' || s3Status(error) === 404) return [];
        throw error;
      }
    });
  }

  /** Replaces the bucket's lifecycle configuration (S3 has no per-rule write: the caller merges). */
  async putLifecycleRules(Rules: LifecycleRule[]): Promise<void> {
    await this.run('writing the lifecycle configuration of', '', (c) =>
      c.client.send(
        new c.sdk.PutBucketLifecycleConfigurationCommand({ Bucket: this.bucket, LifecycleConfiguration: { Rules } }),
      ),
    );
  }
}

const upper = (mode: LockRequest['mode']) =>
  mode === 'compliance' ? ('COMPLIANCE' as const) : ('GOVERNANCE' as const);

/** The retention S3 reports for an object, if it is still in force; a legal hold has no date. */
export function lockOf(
  mode: unknown,
  until: unknown,
  legalHold: unknown,
  now: Date = new Date(),
): LockState | undefined {
  if (legalHold === 'ON') return { mode: 'compliance' };
  if ((mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || !(until instanceof Date) || Number.isNaN(until.getTime()))
    return undefined;
  if (until.getTime() <= now.getTime()) return undefined;
  return { mode: mode === 'COMPLIANCE' ? 'compliance' : 'governance', until };
}

/** `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`, as HeadObject's x-amz-restore says it. */
export function parseRestore(header: unknown): { ongoing: boolean; expires?: Date } | undefined {
  if (typeof header !== 'string') return undefined;
  const ongoing = /ongoing-request="(true|false)"/.exec(header);
  if (!ongoing) return undefined;
  const expiry = /expiry-date="([^"]{1,64})"/.exec(header);
  const expires = expiry ? new Date(expiry[1]!) : undefined;
  return {
    ongoing: ongoing[1] === 'true',
    ...(expires && !Number.isNaN(expires.getTime()) ? { expires } : {}),
  };
}
