import type { Readable } from 'node:stream';
import { StorageError, UsageError, errorMessage } from '../core/errors.js';
import type { Env } from '../core/env.js';
import { connectS3, type S3Connection } from '../storage/s3-client.js';
import type { StorageFilesConfig } from '../config/schema.js';

export interface SourceObject {
  bucket: string;
  key: string;
  etag: string;
  bytes: number;
  contentType?: string;
}

/** A project's Storage through its S3-compatible endpoint: list, read and write objects. */
export interface StorageSource {
  endpoint: string;
  buckets(): Promise<string[]>;
  objects(bucket: string): AsyncGenerator<SourceObject>;
  get(bucket: string, key: string): Promise<{ body: Readable; contentType?: string }>;
  put(bucket: string, key: string, body: Readable | Buffer, bytes: number, contentType?: string): Promise<void>;
  close(): void;
}

export async function openStorageSource(config: StorageFilesConfig, env: Env = process.env): Promise<StorageSource> {
  const accessKeyId = env[config.accessKeyIdEnv];
  const secretAccessKey = env[config.secretAccessKeyEnv];
  if (!accessKeyId || !secretAccessKey) {
    const missing = [!accessKeyId && config.accessKeyIdEnv, !secretAccessKey && config.secretAccessKeyEnv]
      .filter(Boolean)
      .join(' and ');
    throw new UsageError(
      `${missing} ${missing.includes(' and ') ? 'are' : 'is'} not set.`,
      'Create S3 access keys in the Supabase dashboard (Storage → Settings → S3 access keys) and export them under the names the config gives.',
    );
  }
  const s3: S3Connection = await connectS3({
    s3Endpoint: config.s3Endpoint,
    region: config.region,
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
  });
  const { sdk, client } = s3;
  const fail =
    (what: string) =>
    (error: unknown): never => {
      throw new StorageError(`Storage ${what} at ${config.s3Endpoint} failed: ${errorMessage(error)}`, {
        hint: 'Check the endpoint, the S3 access keys and that the bucket exists.',
        cause: error,
      });
    };
  return {
    endpoint: config.s3Endpoint,
    async buckets() {
      if (config.buckets?.length) return config.buckets;
      const out = await client.send(new sdk.ListBucketsCommand({})).catch(fail('listing buckets'));
      return (out.Buckets ?? [])
        .map((b) => b.Name!)
        .filter(Boolean)
        .sort();
    },
    async *objects(bucket) {
      let token: string | undefined;
      do {
        const page = await client
          .send(new sdk.ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
          .catch(fail(`listing ${bucket}`));
        for (const o of page.Contents ?? []) {
          if (o.Key) yield { bucket, key: o.Key, etag: (o.ETag ?? '').replace(/"/g, ''), bytes: o.Size ?? 0 };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async get(bucket, key) {
      const out = await client
        .send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }))
        .catch(fail(`reading ${bucket}/${key}`));
      return { body: out.Body as Readable, contentType: out.ContentType };
    },
    async put(bucket, key, body, bytes, contentType) {
      await client
        .send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentLength: bytes,
            ContentType: contentType,
          }),
        )
        .catch(fail(`writing ${bucket}/${key}`));
    },
    close: () => client.destroy(),
  };
}
