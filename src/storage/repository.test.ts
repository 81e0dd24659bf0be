import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aborted, BackupLocked, StorageError } from '../core/errors.js';
import { startS3, type S3Emulator } from '../../test/helpers/s3.js';
import { openRepository, type Repository } from './index.js';

const MiB = 1024 * 1024;

/** A deterministic stream of `mib` MiB, produced lazily so the test itself holds no more than one chunk. */
function generated(mib: number, opts: { failAfter?: number; onChunk?: (sent: number) => void } = {}) {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < mib * 4; i++) {
        if (opts.failAfter !== undefined && sent >= opts.failAfter * MiB) throw new Error('pg_dump died halfway');
        const chunk = Buffer.alloc(MiB / 4, (i * 37) % 251);
        chunk.writeUInt32BE(i, 0);
        hash.update(chunk);
        sent += chunk.length;
        opts.onChunk?.(sent);
        yield chunk;
      }
    })(),
  );
  return { stream, digest: () => hash.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Backend {
  name: string;
  open(prefix: string): Repository;
  /** What would be left behind by a failed put: `.partial` files, open multipart uploads. */
  leftovers(repo: Repository, key: string): Promise<string[]>;
}

let s3: S3Emulator;
let localRoot: string;

beforeAll(async () => {
  [s3, localRoot] = await Promise.all([startS3(), mkdtemp(join(tmpdir(), 'pgdr-storage-'))]);
});
afterAll(async () => {
  await s3?.stop();
  if (localRoot) await rm(localRoot, { recursive: true, force: true });
});

const backends: Backend[] = [
  {
    name: 'local directory',
    open: (prefix) => openRepository(join(localRoot, prefix)),
    leftovers: async (repo, key) => {
      const dir = join(repo.url, key, '..');
      return (await readdir(dir).catch(() => [] as string[])).filter(
        (f) => f.includes('.partial') || f.includes('.tmp-'),
      );
    },
  },
  {
    name: 's3 (fauxqs)',
    // 5 MiB parts (the S3 minimum) so a 40 MiB stream really is split into more parts than are held in memory.
    open: (prefix) => openRepository(`s3://${s3.bucket}/${prefix}`, { env: s3.env, s3PartSize: 5 * MiB }),
    leftovers: async () => (await s3.uploadsInProgress()).map((u) => `${u.key} (upload ${u.uploadId})`),
  },
];

describe.each(backends)('repository contract: $name', (backend) => {
  it('streams 40 MiB with bounded memory and reads back the same bytes', async () => {
    const repo = backend.open('big');
    const source = generated(40);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let progress = 0;
    const { bytes } = await repo.putStream('backups/one/data.dump', source.stream, {
      onProgress: (n) => {
        progress = n;
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    expect(bytes).toBe(40 * MiB);
    expect(progress).toBe(40 * MiB);
    expect(peak - before).toBeLessThan(100 * MiB);
    expect((await repo.stat('backups/one/data.dump'))?.bytes).toBe(40 * MiB);

    let read = 0;
    const got = await repo.getStream('backups/one/data.dump', { onProgress: (n) => (read = n) });
    expect(got.bytes).toBe(40 * MiB);
    expect(await sha256Of(got.stream)).toBe(source.digest());
    expect(read).toBe(40 * MiB);
  });

  it('writes small files atomically and replaces them whole', async () => {
    const repo = backend.open('small');
    await repo.writeFile('backups/x/manifest.json', '{"v":1}');
    await repo.writeFile('backups/x/manifest.json', Buffer.from('{"v":2}'));
    expect((await repo.readFile('backups/x/manifest.json')).toString()).toBe('{"v":2}');
    expect((await repo.list('')).map((o) => o.key)).toEqual(['backups/x/manifest.json']);
    expect(await backend.leftovers(repo, 'backups/x/manifest.json')).toEqual([]);
  });

  it('lists recursively, lists backup ids, and removes one backup directory', async () => {
    const repo = backend.open('listing');
    for (const key of [
      'backups/a/manifest.json',
      'backups/a/data.dump',
      'backups/ab/manifest.json',
      'backups/b/SHA256SUMS',
    ]) {
      await repo.writeFile(key, key);
    }
    expect(await repo.listDirs('backups/')).toEqual(['a', 'ab', 'b']);
    expect(await repo.listDirs('backups')).toEqual(['a', 'ab', 'b']);
    expect(await repo.listDirs('nothing-here/')).toEqual([]);
    const inA = await repo.list('backups/a/');
    expect(inA.map((o) => o.key)).toEqual(['backups/a/data.dump', 'backups/a/manifest.json']);
    expect(inA[0]?.bytes).toBe('backups/a/data.dump'.length);
    expect(inA[0]?.modified).toBeInstanceOf(Date);

    await repo.removePrefix('backups/a');
    expect(await repo.listDirs('backups/')).toEqual(['ab', 'b']);
    await repo.remove(['backups/b/SHA256SUMS', 'backups/b/not-there']);
    expect((await repo.list('backups/')).map((o) => o.key)).toEqual(['backups/ab/manifest.json']);
    await expect(repo.removePrefix('')).rejects.toThrow(/whole repository/);
  });

  it('leaves nothing behind when the data stream fails midway', async () => {
    const repo = backend.open('failing');
    const source = generated(40, { failAfter: 12 });
    const error = await repo.putStream('backups/f/data.dump', source.stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/pg_dump died halfway/);
    expect((error as StorageError).hint).toBeTruthy();
    expect(await repo.list('')).toEqual([]);
    expect(await repo.stat('backups/f/data.dump')).toBeNull();
    expect(await backend.leftovers(repo, 'backups/f/data.dump')).toEqual([]);
  });

  it('leaves nothing behind when the operator aborts', async () => {
    const repo = backend.open('aborted');
    const controller = new AbortController();
    const source = generated(40, { onChunk: (sent) => sent >= 15 * MiB && controller.abort() });
    const error = await repo
      .putStream('backups/g/data.dump', source.stream, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Aborted);
    expect(await repo.list('')).toEqual([]);
    expect(await backend.leftovers(repo, 'backups/g/data.dump')).toEqual([]);
  });

  it('gives one lock to one holder and names the holder to everyone else', async () => {
    const repo = backend.open('locking');
    const attempts = await Promise.allSettled([1, 2, 3, 4, 5].map(() => repo.lock('locks/backup-app')));
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(BackupLocked);
    expect(lost.reason.message).toContain(`pid ${process.pid} on ${hostname()} since`);
    expect(lost.reason.hint).toMatch(/Wait for that run to finish.*remove .*locks\/backup-app/);

    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    const again = await repo.lock('locks/backup-app');
    await again.release();
    await again.release();
    expect(await repo.stat('locks/backup-app')).toBeNull();
  });

  it('takes over a lock whose process is gone, but not one held on another host', async () => {
    const repo = backend.open('stale');
    const deadPid = spawnSync('true').pid!;
    const startedAt = new Date(Date.now() - 3_600_000).toISOString();
    await repo.writeFile('locks/dead', JSON.stringify({ pid: deadPid, host: hostname(), startedAt, token: 'old' }));
    const lock = await repo.lock('locks/dead');
    expect(JSON.parse((await repo.readFile('locks/dead')).toString()).pid).toBe(process.pid);
    await lock.release();

    await repo.writeFile('locks/remote', JSON.stringify({ pid: deadPid, host: 'db-runner-7', startedAt, token: 'x' }));
    await expect(repo.lock('locks/remote')).rejects.toThrow(/locked by pid \d+ on db-runner-7 since .*\(60 min ago\)/);
  });

  it('says what is missing and what to do', async () => {
    const repo = backend.open('missing');
    const error = await repo.readFile('backups/nope/manifest.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/^Not found: .*backups\/nope\/manifest\.json/);
    expect((error as StorageError).hint).toMatch(/backups list/);
    await expect(repo.getStream('backups/nope/data.dump')).rejects.toThrow(/Not found/);
    expect(await repo.stat('backups/nope/manifest.json')).toBeNull();
    await expect(repo.readFile('../etc/passwd')).rejects.toThrow(/Invalid repository key/);
  });

  it('probes that it is reachable and writable, leaving nothing', async () => {
    const repo = backend.open('probe');
    await repo.probe();
    expect(await repo.list('')).toEqual([]);
  });
});
