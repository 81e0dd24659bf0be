import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { useCluster, createDatabase } from '../helpers/cluster.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let s3: S3Emulator;

describe('pgdr backup --storage / restore --storage', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    s3 = await startS3();
    await s3.client().send(new CreateBucketCommand({ Bucket: 'avatars' }));
    await s3
      .client()
      .send(new PutObjectCommand({ Bucket: 'avatars', Key: 'u1/me.png', Body: Buffer.from('the avatar') }));
  });
  afterAll(async () => s3?.stop());

  it('copies the Storage objects with the database backup, under its id, and puts them back with the restore', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pgdr-storage-cli-'));
    writeFileSync(
      join(work, 'pgdr.config.yaml'),
      [
        'targets:',
        '  prod:',
        '    urlEnv: APP_URL',
        '    role: production',
        '    storage:',
        `      s3Endpoint: ${s3.endpoint}`,
        '      accessKeyIdEnv: SB_KEY',
        '      secretAccessKeyEnv: SB_SECRET',
        '      buckets: [avatars]',
        `repository:\n  url: ${join(work, 'repo')}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const env = {
      APP_URL: cluster.urlFor('app'),
      SB_KEY: s3.env.AWS_ACCESS_KEY_ID!,
      SB_SECRET: s3.env.AWS_SECRET_ACCESS_KEY!,
      PGDR_HOME: join(work, 'home'),
    };
    const backup = await runPgdr(['backup', '--storage', '--json'], { cwd: work, env });
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout);
    expect(result.storage).toEqual({ objects: 1, copied: 1, reused: 0 });
    const files = await runPgdr(['files', 'list', '--json'], { cwd: work, env });
    expect(JSON.parse(files.stdout).map((f: { id: string }) => f.id)).toEqual([result.id]);

    await s3.client().send(new DeleteObjectCommand({ Bucket: 'avatars', Key: 'u1/me.png' }));
    const restore = await runPgdr(['restore', result.id, '--storage', '--new-db', 'app_back'], { cwd: work, env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('Restored 1 Storage objects');
    const back = await s3.client().send(new GetObjectCommand({ Bucket: 'avatars', Key: 'u1/me.png' }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).toString()).toBe('the avatar');
    expect(backup.stderr + restore.stderr + restore.stdout).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY!);
  });
});
