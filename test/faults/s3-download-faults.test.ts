import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster, psql, createDatabase, databaseNames } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { startChaosProxy } from '../helpers/chaos-proxy.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { checked, until } from './fault-helpers.js';

let cluster: LocalCluster;
let s3: S3Emulator;

const state = async () => ({
  dbs: await databaseNames(cluster),
  app: await tableFingerprints(cluster.target('app')),
});

describe('fault suite: S3 downloads that break off', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    // About 5 MB compressed: many times the 500 kB each cut connection carries.
    await psql(
      cluster,
      'app',
      `create table events (id bigint primary key, note text);
      insert into events select g, md5(g::text) || md5((g * 7)::text) from generate_series(1, 150000) g;`,
    );
    s3 = await startS3();
  });
  afterAll(async () => s3?.stop());

  it('S3 dropping connections mid-download: restore and verify retry, then fail clearly; nothing created', async () => {
    const s3repo = `s3://${s3.bucket}/download-faults`;
    const up = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', s3repo, '--json'], { env: s3.env });
    expect(up.code, up.stderr).toBe(0);
    const id = JSON.parse(up.stdout).id;
    const before = await state();
    const proxy = await startChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
      { kind: 'drop-download-after', bytes: 500_000 },
    );
    try {
      const env = { ...s3.env, AWS_ENDPOINT_URL: proxy.url };
      const restore = await runPgdr(
        ['restore', id, '--repo', s3repo, '--db', cluster.urlFor('app'), '--new-db', 'never_s3'],
        { env },
      );
      expect(restore.code).not.toBe(0);
      expect(restore.stderr).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY!);
      // Picked up again from where it broke off, a few times, then one error that says what happened.
      expect(restore.stderr).toMatch(/broke off \d+ times/);
      expect(restore.stderr).toContain('keeps dropping');
      expect(restore.stderr).not.toContain('unexpected');
      const afterRestore = proxy.connections();
      expect(afterRestore).toBeGreaterThan(2);
      const verify = await runPgdr(['backup', 'verify', id, '--repo', s3repo], { env });
      expect(verify.code).not.toBe(0);
      expect(verify.stderr + verify.stdout).toMatch(/broke off \d+ times/);
      expect(proxy.connections() - afterRestore).toBeGreaterThan(1);
    } finally {
      await proxy.stop();
    }
    expect(await state()).toEqual(before);
    checked(
      'S3 dropping connections mid-download: restore and verify retried, then failed clearly; no database created',
    );

    // One drop, then the endpoint recovers: the download continues from the byte it reached, and the restore passes.
    const flaky = await startChaosProxy(
      { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
      { kind: 'drop-download-after', bytes: 500_000 },
    );
    try {
      const running = runPgdr(
        ['restore', id, '--repo', s3repo, '--db', cluster.urlFor('app'), '--new-db', 'after_one_drop', '--json'],
        { env: { ...s3.env, AWS_ENDPOINT_URL: flaky.url } },
      );
      await until('the first dropped download', () => flaky.drops() > 0);
      flaky.set({ kind: 'pass' });
      const r = await running;
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await flaky.stop();
    }
    expect(await tableFingerprints(cluster.target('after_one_drop'))).toEqual(before.app);
    await psql(cluster, 'postgres', 'drop database after_one_drop');
    checked('S3 dropping one download midway: picked up from where it broke off, the restored database identical');
  });
});
