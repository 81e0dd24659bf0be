import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { useClusterWith, psql, databaseNames } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { keyPair, takeBackup } from '../helpers/backups.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { checked } from './fault-helpers.js';

let cluster: LocalCluster;
let s3: S3Emulator;
let repo: string;
let keyFile: string;
let plainId: string;
let encryptedId: string;

const databases = () => databaseNames(cluster);

/** A private temporary directory for one pgdr run: whatever the run stages there, and leaves, is plain to see. */
const stagingRoot = () => mkdtempSync(join(tmpdir(), 'pgdr-test-staging-'));

describe('fault suite: restores that end, and leave nothing behind', () => {
  beforeAll(async () => {
    cluster = await useClusterWith(
      'app',
      `create table events (id bigint primary key, note text);
       insert into events select g, md5(g::text) from generate_series(1, 20000) g;`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-leftovers-'));
    plainId = await takeBackup(['--db', cluster.urlFor('app'), '--repo', repo]);
    const keys = keyPair(repo);
    keyFile = keys.keyFile;
    encryptedId = await takeBackup(['--db', cluster.urlFor('app'), '--repo', repo, '--encrypt-to', keys.recipient]);
    s3 = await startS3();
  });
  afterAll(async () => s3?.stop());

  it('a missing archive file fails the restore and the verification within seconds, and nothing stays running', async () => {
    const before = await databases();
    for (const id of [plainId, encryptedId]) {
      const broken = mkdtempSync(join(tmpdir(), 'pgdr-missing-'));
      cpSync(join(repo, 'backups', id), join(broken, 'backups', id), { recursive: true });
      for (const f of readdirSync(join(broken, 'backups', id)))
        if (f.startsWith('data.dump')) rmSync(join(broken, 'backups', id, f));
      for (const jobs of ['1', '2']) {
        const staging = stagingRoot();
        const started = Date.now();
        const r = await runPgdr(
          [
            'restore',
            id,
            '--repo',
            broken,
            '--db',
            cluster.urlFor('app'),
            '--new-db',
            'never_missing',
            '--identity',
            keyFile,
            '--jobs',
            jobs,
          ],
          { env: { TMPDIR: staging }, timeoutMs: 30_000 },
        );
        expect(r.code, `--jobs ${jobs}: ${r.stderr}`).not.toBe(0);
        expect(Date.now() - started, `--jobs ${jobs} took too long: it hung`).toBeLessThan(25_000);
        expect(r.stderr).toMatch(/not found|missing|no such file/i);
        expect(readdirSync(staging)).toEqual([]);
      }
      for (const restoreTest of [[], ['--restore-test', '--scratch-db', cluster.urlFor('postgres')]]) {
        const started = Date.now();
        const v = await runPgdr(['backup', 'verify', id, '--repo', broken, '--identity', keyFile, ...restoreTest], {
          timeoutMs: 30_000,
        });
        expect(v.code).not.toBe(0);
        expect(Date.now() - started, 'verify hung').toBeLessThan(25_000);
      }
    }
    expect(await databases()).toEqual(before);
    checked('archive file missing from the repository: restore (1 and 2 jobs) and verify fail within seconds');
  });

  it('the safety snapshot of an in-place restore is encrypted like the backup it protects', async () => {
    const passphrase = { PGDR_TEST_PASSPHRASE: 'correct horse battery staple' };
    const byPassphrase = await runPgdr(
      ['backup', '--db', cluster.urlFor('app'), '--repo', repo, '--passphrase-env', 'PGDR_TEST_PASSPHRASE', '--json'],
      { env: passphrase },
    );
    expect(byPassphrase.code, byPassphrase.stderr).toBe(0);
    const cases = [
      { id: encryptedId, keys: ['--identity', keyFile], env: {} },
      {
        id: JSON.parse(byPassphrase.stdout).id as string,
        keys: ['--passphrase-env', 'PGDR_TEST_PASSPHRASE'],
        env: passphrase,
      },
    ];
    for (const { id, keys, env } of cases) {
      await psql(cluster, 'postgres', 'drop database if exists target; create database target template app');
      const r = await runPgdr(
        [
          'restore',
          id,
          '--repo',
          repo,
          '--db',
          cluster.urlFor('target'),
          '--clean',
          '--confirm',
          'target',
          ...keys,
          '--json',
        ],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      const snapshot = JSON.parse(r.stdout).safetySnapshotId as string;
      const files = readdirSync(join(repo, 'backups', snapshot));
      const of = JSON.parse(readFileSync(join(repo, 'backups', id, 'manifest.json'), 'utf8')).encryption;
      const taken = JSON.parse(readFileSync(join(repo, 'backups', snapshot, 'manifest.json'), 'utf8')).encryption;
      expect(taken).toEqual(of);
      expect(files.some((f) => f.endsWith('.age'))).toBe(true);
    }
    checked('safety snapshot of an in-place restore: encrypted like the backup it protects (recipients or passphrase)');
  });

  it('an archive missing from S3 fails the restore within seconds', async () => {
    const s3repo = `s3://${s3.bucket}/missing`;
    const up = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', s3repo, '--json'], { env: s3.env });
    expect(up.code, up.stderr).toBe(0);
    const id = JSON.parse(up.stdout).id;
    await s3.client().send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `missing/backups/${id}/data.dump.zst` }));
    for (const jobs of ['1', '2']) {
      const staging = stagingRoot();
      const started = Date.now();
      const r = await runPgdr(
        ['restore', id, '--repo', s3repo, '--db', cluster.urlFor('app'), '--new-db', 'never_s3', '--jobs', jobs],
        { env: { ...s3.env, TMPDIR: staging }, timeoutMs: 30_000 },
      );
      expect(r.code).not.toBe(0);
      expect(Date.now() - started, `--jobs ${jobs}: hung`).toBeLessThan(25_000);
      expect(readdirSync(staging)).toEqual([]);
    }
    checked('archive missing from S3: the restore fails within seconds');
  });
});
