import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, UsageError } from '../core/errors.js';
import { runProcess } from '../core/system.js';
import { openRepository } from './index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pgdr-local-repo-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('local repository', () => {
  it('resolves a relative path and creates the directory private to its owner on first write', async () => {
    const repo = openRepository(relative(process.cwd(), join(root, 'private')));
    expect(repo.url).toBe(join(root, 'private'));
    expect(repo.remote).toBe(false);
    await repo.putStream('backups/a/data.dump', Readable.from([Buffer.from('dump')]));
    await repo.writeFile('backups/a/manifest.json', '{}');
    const lock = await repo.lock('locks/backup-app');
    expect(await mode(repo.url)).toBe(0o700);
    expect(await mode(join(repo.url, 'backups/a'))).toBe(0o700);
    expect(await mode(join(repo.url, 'backups/a/data.dump'))).toBe(0o600);
    expect(await mode(join(repo.url, 'backups/a/manifest.json'))).toBe(0o600);
    expect(await mode(join(repo.url, 'locks/backup-app'))).toBe(0o600);
    await lock.release();
  });

  it('reports free space of the disk it would write to, even before it exists', async () => {
    const space = await openRepository(join(root, 'not/yet/here')).freeBytes();
    expect(space?.total).toBeGreaterThan(0);
    expect(space?.free).toBeGreaterThan(0);
    expect(space!.free).toBeLessThanOrEqual(space!.total);
  });

  it('fails the probe with a hint when the path cannot be a directory', async () => {
    const error = await openRepository('/dev/null/repo')
      .probe()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/\/dev\/null\/repo/);
    expect((error as StorageError).hint).toBeTruthy();
  });

  it('says the disk is full, and leaves no partial file', async () => {
    const mountPoint = join(root, 'tiny');
    await runProcess('mkdir', ['-p', mountPoint]);
    try {
      await runProcess('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
    } catch (error) {
      console.warn(`disk-full case not exercised: mounting a tmpfs is not permitted here (${String(error)})`);
      return;
    }
    try {
      const repo = openRepository(mountPoint);
      const fourMiB = Readable.from(Array.from({ length: 16 }, () => Buffer.alloc(256 * 1024, 7)));
      const error = await repo.putStream('backups/big/data.dump', fourMiB).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/^No space left while writing .*backups\/big\/data\.dump/);
      expect((error as StorageError).hint).toMatch(/Free space/);
      expect(await readdir(join(mountPoint, 'backups/big'))).toEqual([]);
      expect(await repo.list('')).toEqual([]);
    } finally {
      await runProcess('umount', [mountPoint]);
    }
  });
});

describe('openRepository', () => {
  it('parses s3://bucket/prefix', () => {
    expect(openRepository('s3://acme-backups').url).toBe('s3://acme-backups');
    expect(openRepository('s3://acme-backups/pgdr/prod/').url).toBe('s3://acme-backups/pgdr/prod');
  });

  it('rejects what it cannot store to, saying what to use instead', () => {
    expect(() => openRepository('')).toThrow(UsageError);
    expect(() => openRepository('s3://')).toThrow(/not a valid S3 bucket name/);
    expect(() => openRepository('s3://Bad_Bucket/x')).toThrow(/not a valid S3 bucket name/);
    expect(() => openRepository('s3://bucket/a/../b')).toThrow(/not a valid S3 prefix/);
    expect(() => openRepository('gs://bucket/x')).toThrow(/Unsupported repository "gs:\/\/…"/);
  });
});
