import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, HeadObjectCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3Contract, type S3Contract } from '../helpers/s3-contract.js';
import { writeFakeBackup } from '../helpers/manifests.js';
import { makeBackupId } from '../../src/backup/backup-id.js';
import { takeBackup } from '../../src/backup/index.js';
import { quietContext } from '../../src/core/context.js';
import { openRepository } from '../../src/storage/index.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let s3: S3Contract;
let cluster: LocalCluster;
let env: Record<string, string>;
const home = mkdtempSync(join(tmpdir(), 'pgdr-tiers-'));
const HOUR = 3_600_000;

beforeAll(async () => {
  s3 = await startS3Contract();
  cluster = await useClusterWith(
    'shop',
    'create table orders (id int primary key, item text); insert into orders select g, md5(g::text) from generate_series(1, 3000) g;',
  );
  env = { ...s3.env, PGDR_HOME: join(home, 'home'), PGDR_CONFIG: '' };
});

afterAll(async () => {
  await s3.stop();
});

const repoAt = (prefix: string) => openRepository(`s3://${s3.bucket}/${prefix}`, { env: s3.env });
const run = (args: string[]) => runPgdr(args, { env, cwd: home });
/** As HeadObject answers it (S3 names no class for STANDARD). */
const storageClassOf = async (key: string) =>
  (await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }))).StorageClass ?? 'STANDARD';

describe('archive tiers', () => {
  it('prune moves a backup kept only as a monthly keeper to its class: CopyObject in place, the manifest stays', async () => {
    const repo = repoAt('tiers');
    const now = Date.now();
    const newest = makeBackupId('full', 'app', new Date(now - HOUR));
    const yesterday = makeBackupId('full', 'app', new Date(now - 25 * HOUR));
    const monthly = makeBackupId('full', 'app', new Date(now - 100 * 24 * HOUR));
    for (const id of [monthly, yesterday, newest]) await writeFakeBackup(repo, id);
    const policy = ['--keep-daily', '2', '--keep-weekly', '0', '--keep-monthly', '3', '--keep-yearly', '0'];
    const args = ['prune', '--repo', `s3://${s3.bucket}/tiers`, ...policy, '--storage-class', 'monthly=GLACIER_IR'];

    const dry = await run([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Would move 1 backup(s) to a colder storage class: ${monthly} STANDARD → GLACIER_IR.`);
    const copies = () => s3.requests.filter((r) => r.method === 'PUT' && r.headers['x-amz-copy-source']);
    expect(copies()).toEqual([]);

    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Moved 1 backup(s) to a colder storage class: ${monthly} STANDARD → GLACIER_IR.`);
    const key = `tiers/backups/${monthly}/data.dump.zst`;
    expect(copies()).toEqual([
      expect.objectContaining({
        key,
        status: 200,
        headers: expect.objectContaining({
          'x-amz-copy-source': `${s3.bucket}/${key}`,
          'x-amz-storage-class': 'GLACIER_IR',
          'x-amz-metadata-directive': 'COPY',
        }),
      }),
    ]);
    expect(await storageClassOf(key)).toBe('GLACIER_IR');
    expect(await storageClassOf(`tiers/backups/${monthly}/manifest.json`)).toBe('STANDARD');
    expect(await storageClassOf(`tiers/backups/${newest}/data.dump.zst`)).toBe('STANDARD');

    const list = await run(['backups', 'list', '--repo', `s3://${s3.bucket}/tiers`]);
    expect(list.stdout).toMatch(new RegExp(`^${monthly} .* GLACIER_IR$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${newest} .* STANDARD$`, 'm'));
    // GLACIER_IR is read at once, and the copy holds the same bytes.
    expect((await repo.readFile(`backups/${monthly}/data.dump.zst`)).toString()).toBe(`archive of ${monthly}`);

    const again = await run(args);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('colder storage class');
    expect(copies()).toHaveLength(1);
  });

  it('a restore from DEEP_ARCHIVE: said up front, RestoreObject sent, the wait shown, then every row restored', async () => {
    const repo = repoAt('thaw');
    const taken = await takeBackup({ target: cluster.target('shop'), repo }, quietContext());
    const key = `thaw/backups/${taken.id}/${taken.manifest.files[0]!.path}`;
    // What a lifecycle transition does.
    await s3.client().send(
      new CopyObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        CopySource: `${s3.bucket}/${key}`,
        StorageClass: 'DEEP_ARCHIVE',
        MetadataDirective: 'COPY',
      }),
    );
    const common = ['--repo', `s3://${s3.bucket}/thaw`, '--db', cluster.urlFor('postgres')];

    const verify = await run(['backup', 'verify', taken.id, ...common.slice(0, 2)]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/error: .*is in an archive storage class .*S3 must restore it before it can be read/);

    const dry = await run(['restore', taken.id, ...common, '--new-db', 'thawed', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      '1. Request 1 archived file(s) back from DEEP_ARCHIVE (S3 RestoreObject, Standard tier, typically within 12 hours',
    );
    const restores = () => s3.requests.filter((r) => r.method === 'POST' && r.query.includes('restore'));
    expect(restores()).toEqual([]);

    const running = run(['restore', taken.id, ...common, '--new-db', 'thawed', '--archive-poll', '0.2']);
    await until(() => restores().length > 0);
    expect(restores()[0]).toMatchObject({ key, status: 202 });
    expect(restores()[0]!.body).toMatch(/<Days>2<\/Days>.*<Tier>Standard<\/Tier>/s);
    // pgdr is waiting: it keeps asking (HeadObject) and reads nothing yet.
    const asked = s3.requests.length;
    await until(() => s3.requests.slice(asked).filter((r) => r.method === 'HEAD' && r.key === key).length >= 2);
    expect(s3.requests.slice(asked).filter((r) => r.method === 'GET' && r.key === key)).toEqual([]);
    s3.completeRestore(key);

    const r = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Requested 1 file(s) back from DEEP_ARCHIVE (Standard tier, typically within 12 hours)');
    expect(r.stderr).toMatch(
      /Still waiting for S3: 1 of 1 file\(s\) not readable yet after \d+ s \(typically within 12 hours\)/,
    );
    expect(r.stderr).toMatch(/S3 restored the archived files after \d+ s; going on with the restore/);
    expect(await psql(cluster, 'thawed', 'select count(*) from orders')).toBe('3000\n');
  });

  it('repo lifecycle --print shows the rules from the retention config; --apply writes them beside the bucket’s own', async () => {
    const dir = mkdtempSync(join(home, 'lifecycle-'));
    writeFileSync(
      join(dir, 'pgdr.config.yaml'),
      [
        `repository:\n  url: s3://${s3.bucket}/lc`,
        '  s3:\n    storageClass:\n      monthly: GLACIER_IR\n      yearly: DEEP_ARCHIVE',
        'retention:\n  keepDaily: 7\n  keepWeekly: 12\n  keepMonthly: 84\n  keepYearly: 7',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    await s3.client().send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: s3.bucket,
        LifecycleConfiguration: {
          Rules: [{ ID: 'logs-expire', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }],
        },
      }),
    );
    const printed = await runPgdr(['repo', 'lifecycle', '--print', '--json'], { env, cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    const { rules } = JSON.parse(printed.stdout) as { rules: { ID: string }[] };
    expect(rules).toEqual([
      expect.objectContaining({ ID: 'logs-expire' }),
      {
        ID: 'pgdr-archive-tiers',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'lc/backups/', ObjectSizeGreaterThan: 16 * 1024 * 1024 } },
        Transitions: [
          { Days: 91, StorageClass: 'GLACIER_IR' },
          { Days: 2635, StorageClass: 'DEEP_ARCHIVE' },
        ],
      },
      {
        ID: 'pgdr-cleanup',
        Status: 'Enabled',
        Filter: { Prefix: 'lc/' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    const before = s3.lifecycleXml;
    const applied = await runPgdr(['repo', 'lifecycle', '--apply'], { env, cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(s3.lifecycleXml).not.toBe(before);
    expect(s3.lifecycleXml).toContain('<ID>logs-expire</ID>');
    expect(s3.lifecycleXml).toContain('<ID>pgdr-archive-tiers</ID>');
    expect(s3.lifecycleXml).toMatch(
      /<Transition><Days>91<\/Days><StorageClass>GLACIER_IR<\/StorageClass><\/Transition>/,
    );
    const local = await runPgdr(['repo', 'lifecycle', '--print', '--repo', dir], { env, cwd: dir });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('lifecycle rules are an S3 bucket');
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the awaited request never came');
}
