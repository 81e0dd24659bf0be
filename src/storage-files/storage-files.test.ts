import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3, type S3Emulator } from '../../test/helpers/s3.js';
import { quietContext } from '../core/context.js';
import { openRepository } from '../storage/index.js';
import { generateIdentity } from '../crypto/index.js';
import { backupStorageFiles } from './backup-files.js';
import { restoreStorageFiles } from './restore-files.js';
import { openStorageSource, type StorageSource } from './source.js';
import { readFilesManifest } from './files-manifest.js';
import { pruneStorageFiles } from './prune-files.js';
import { runPgdr } from '../../test/helpers/cli.js';

let s3: S3Emulator;
let source: StorageSource;
const BUCKETS = ['avatars', 'docs'];

beforeAll(async () => {
  s3 = await startS3();
  for (const b of BUCKETS) await s3.client().send(new CreateBucketCommand({ Bucket: b }));
  await put('avatars', 'u1/me.png', Buffer.alloc(3000, 7), 'image/png');
  await put('avatars', 'u2/me.png', Buffer.from('second avatar'), 'image/png');
  await put('docs', 'contracts/2025/a.pdf', Buffer.from('%PDF-1.7 contract'), 'application/pdf');
  source = await openStorageSource(
    { s3Endpoint: s3.endpoint, accessKeyIdEnv: 'SB_KEY', secretAccessKeyEnv: 'SB_SECRET', buckets: BUCKETS },
    { SB_KEY: s3.env.AWS_ACCESS_KEY_ID, SB_SECRET: s3.env.AWS_SECRET_ACCESS_KEY },
  );
});

afterAll(async () => {
  source?.close();
  await s3?.stop();
});

async function put(bucket: string, key: string, body: Buffer, contentType?: string): Promise<void> {
  await s3.client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

async function get(bucket: string, key: string): Promise<string> {
  const out = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray()).toString('latin1');
}

describe('Supabase Storage files', () => {
  it('copies every object with a checksum, then only what changed, and restores a snapshot', async () => {
    const repoDir = mkdtempSync(join(tmpdir(), 'pgdr-files-'));
    const repo = openRepository(repoDir);
    const first = await backupStorageFiles({ source, repo, id: '20250101T020000Z-full-app' }, quietContext());
    expect(first).toMatchObject({ copied: 3, reused: 0, buckets: BUCKETS });
    expect(first.objects.find((o) => o.key === 'u1/me.png')).toMatchObject({
      bytes: 3000,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      contentType: 'image/png',
    });

    await put('avatars', 'u2/me.png', Buffer.from('second avatar, new'), 'image/png');
    await put('docs', 'new.txt', Buffer.from('added'));
    const second = await backupStorageFiles({ source, repo, id: '20250102T020000Z-full-app' }, quietContext());
    expect(second).toMatchObject({ copied: 2, reused: 2 });
    expect(readdirSync(join(repoDir, 'files/snapshots')).sort()).toEqual([
      '20250101T020000Z-full-app.json',
      '20250102T020000Z-full-app.json',
    ]);

    await s3.client().send(new DeleteObjectCommand({ Bucket: 'avatars', Key: 'u1/me.png' }));
    await put('avatars', 'u2/me.png', Buffer.from('vandalised'));
    const restored = await restoreStorageFiles(
      { repo, snapshot: '20250101', target: source, buckets: ['avatars'] },
      quietContext(),
    );
    expect(restored).toMatchObject({ snapshot: '20250101T020000Z-full-app', restored: 2 });
    expect(await get('avatars', 'u1/me.png')).toBe(Buffer.alloc(3000, 7).toString('latin1'));
    expect(await get('avatars', 'u2/me.png')).toBe('second avatar');

    const dry = await pruneStorageFiles(repo, { keepLast: 1, dryRun: true });
    expect(dry).toMatchObject({ removed: ['20250101T020000Z-full-app'], objectsRemoved: 1 });
    const pruned = await pruneStorageFiles(repo, { keepLast: 1 });
    expect(pruned.kept).toEqual(['20250102T020000Z-full-app']);
    const restoredAgain = await restoreStorageFiles({ repo, snapshot: 'latest', target: source }, quietContext());
    expect(restoredAgain.restored).toBe(4);
    expect(await get('avatars', 'u2/me.png')).toBe('second avatar, new');
  });

  it('encrypts stored objects to the recipients, and writes nothing when any stored copy is damaged', async () => {
    const key = generateIdentity();
    const repoDir = mkdtempSync(join(tmpdir(), 'pgdr-files-enc-'));
    const repo = openRepository(repoDir);
    const snap = await backupStorageFiles(
      { source, repo, id: '20250103T020000Z-full-app', recipients: [key.recipient] },
      quietContext(),
    );
    expect(snap.encryption).toEqual({ format: 'age', recipients: [key.recipient] });
    const doc = snap.objects.find((o) => o.key === 'contracts/2025/a.pdf')!;
    expect(doc.stored).toMatch(/\.age$/);

    await put('docs', 'contracts/2025/a.pdf', Buffer.from('lost'));
    await restoreStorageFiles(
      { repo, snapshot: 'latest', target: source, identities: [key.identity], buckets: ['docs'] },
      quietContext(),
    );
    expect(await get('docs', 'contracts/2025/a.pdf')).toBe('%PDF-1.7 contract');

    const manifest = await readFilesManifest(repo, 'latest');
    const avatar = manifest.objects.find((o) => o.key === 'u2/me.png')!;
    writeFileSync(join(repoDir, avatar.stored), 'not what was stored');
    await put('avatars', 'u1/me.png', Buffer.from('current'));
    await expect(
      restoreStorageFiles(
        { repo, snapshot: 'latest', target: source, identities: [key.identity], buckets: ['avatars'] },
        quietContext(),
      ),
    ).rejects.toThrow();
    expect(await get('avatars', 'u1/me.png')).toBe('current');
  });

  it('pgdr files backup / list from the profile’s storage: section', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pgdr-files-cli-'));
    writeFileSync(
      join(cwd, 'pgdr.config.yaml'),
      [
        'targets:',
        '  prod:',
        '    url: postgres://app@db.example.com/app',
        '    role: production',
        '    supabase: true',
        '    storage:',
        `      s3Endpoint: ${s3.endpoint}`,
        '      accessKeyIdEnv: SB_KEY',
        '      secretAccessKeyEnv: SB_SECRET',
        '      buckets: [docs]',
        'repository:',
        '  url: ./repo',
        '',
      ].join('\n'),
    );
    chmodSync(join(cwd, 'pgdr.config.yaml'), 0o600);
    const env = {
      SB_KEY: s3.env.AWS_ACCESS_KEY_ID,
      SB_SECRET: s3.env.AWS_SECRET_ACCESS_KEY,
      PGDR_HOME: join(cwd, 'home'),
      PGDR_CONFIG: '',
    };
    const backup = await runPgdr(['files', 'backup', '--json'], { cwd, env });
    expect(backup.code).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({
      buckets: ['docs'],
      copied: 2,
      id: expect.stringMatching(/^\d{8}T\d{6}Z-full-app$/),
    });
    const list = await runPgdr(['files', 'list', '--json'], { cwd, env });
    expect(JSON.parse(list.stdout)).toHaveLength(1);
    expect(backup.stdout + backup.stderr).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY);
  });
});
