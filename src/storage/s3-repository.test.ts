import { CreateMultipartUploadCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BackupLocked, StorageError } from '../core/errors.js';
import { startS3, type S3Emulator } from '../../test/helpers/s3.js';
import { connectS3 } from './s3-client.js';
import { openRepository } from './index.js';

let s3: S3Emulator;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('S3 repository', () => {
  it('shows the bucket and prefix, and keeps to its prefix', async () => {
    const repo = openRepository(`s3://${s3.bucket}/team/db1/`, { env: s3.env });
    expect(repo.url).toBe(`s3://${s3.bucket}/team/db1`);
    expect(repo.remote).toBe(true);
    await s3
      .client()
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'team/db10/backups/x/manifest.json', Body: '{}' }));
    await repo.writeFile('backups/y/manifest.json', '{}');
    expect((await repo.list('')).map((o) => o.key)).toEqual(['backups/y/manifest.json']);
    expect(await repo.listDirs('backups/')).toEqual(['y']);
    expect(await repo.freeBytes()).toBeUndefined();
  });

  it("removing a backup directory also aborts a crashed run's multipart upload", async () => {
    const repo = openRepository(`s3://${s3.bucket}/crashed`, { env: s3.env });
    await repo.writeFile('backups/z/SHA256SUMS', 'x');
    await s3.client().send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: 'crashed/backups/z/data.dump' }));
    expect(await s3.uploadsInProgress()).toHaveLength(1);
    await repo.removePrefix('backups/z/');
    expect(await s3.uploadsInProgress()).toEqual([]);
    expect(await repo.list('')).toEqual([]);
  });

  it('runs against an emulator that honours If-None-Match like AWS does', async () => {
    const put = () =>
      s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'cond/once', Body: 'x', IfNoneMatch: '*' }));
    await put();
    await expect(put()).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it('names a missing bucket and says to create it', async () => {
    const repo = openRepository('s3://pgdr-no-such-bucket/x', { env: s3.env });
    const error = await repo.probe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toBe(`The bucket "pgdr-no-such-bucket" does not exist at ${s3.endpoint}.`);
    expect((error as StorageError).hint).toMatch(/Create the bucket or fix the name/);
  });

  it('points at the endpoint when nothing listens there, without printing credentials', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const repo = openRepository(`s3://${s3.bucket}/x`, { env: { ...s3.env, AWS_ENDPOINT_URL: endpoint } });
    const error = (await repo.readFile('backups/a/manifest.json').catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain(`Could not reach ${endpoint}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.hint).toMatch(/AWS_ENDPOINT_URL/);
    expect(`${error.message} ${error.hint}`).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY);
  });

  it('says how to provide credentials when there are none', async () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    try {
      const repo = openRepository(`s3://${s3.bucket}/x`, { env: { AWS_ENDPOINT_URL: s3.endpoint } });
      const error = (await repo.probe().catch((e: unknown) => e)) as StorageError;
      expect(error).toBeInstanceOf(StorageError);
      expect(error.message).toMatch(/^No AWS credentials found for writing s3:\/\//);
      expect(error.hint).toMatch(/AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY \(or AWS_PROFILE\)/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('uploads from three part buffers refilled, whatever the size, and splits exactly at part boundaries', async () => {
    const MiB = 1024 * 1024;
    const repo = openRepository(`s3://${s3.bucket}/parts`, { env: s3.env, s3PartSize: 5 * MiB });
    const chunks = (mib: number) => Array.from({ length: mib * 4 }, (_, i) => Buffer.alloc(MiB / 4, i % 251));
    const stream = (mib: number) => Readable.from(chunks(mib));
    const partBuffers = () => allocations.mock.calls.filter(([n]) => n >= 5 * MiB).length;
    const allocations = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      const progress: number[] = [];
      const big = await repo.putStream('big', stream(40), { onProgress: (n) => progress.push(n) });
      expect(big.bytes).toBe(40 * MiB);
      expect(partBuffers()).toBe(3);
      expect(progress.at(-1)).toBe(40 * MiB);
    } finally {
      allocations.mockRestore();
    }
    for (const mib of [0, 3, 5, 10]) {
      await repo.putStream(`exact-${mib}`, stream(mib));
      const back = await repo.readFile(`exact-${mib}`);
      expect(back.equals(Buffer.concat(chunks(mib)))).toBe(true);
    }
    expect(await s3.uploadsInProgress()).toEqual([]);
  });

  it('configures the client for S3-compatible services', async () => {
    const { client, endpoint } = await connectS3({
      env: { AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_ENDPOINT_URL: 'http://other' },
    });
    expect(endpoint).toBe('http://minio:9000');
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.maxAttempts()).toBe(5);
    const aws = await connectS3({ region: 'eu-west-1', env: {} });
    expect(aws.endpoint).toBeUndefined();
    expect(aws.client.config.forcePathStyle).toBeFalsy();
    expect(await aws.client.config.region()).toBe('eu-west-1');
  });
});

describe('S3 lock on a service that ignores If-None-Match', () => {
  let lax: S3Emulator;
  beforeAll(async () => {
    lax = await startS3({ conditionalWrites: false });
  });
  afterAll(async () => {
    await lax?.stop();
  });

  it('still refuses a second holder and frees the lock on release', async () => {
    const repo = openRepository(`s3://${lax.bucket}/p`, { env: lax.env });
    const held = await repo.lock('locks/backup-app');
    await expect(repo.lock('locks/backup-app')).rejects.toBeInstanceOf(BackupLocked);
    await held.release();
    await (await repo.lock('locks/backup-app')).release();
  });
});
