import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createDatabase, psql, useCluster } from '../helpers/cluster.js';
import { loadPagila } from '../helpers/pagila.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { runPgdr } from '../helpers/cli.js';
import { holdTableLock, killPgDump } from '../helpers/pg-dump-faults.js';
import { generateIdentity } from '../../src/crypto/index.js';
import { toolFor } from '../../src/pg/tools.js';
import { ToolVersionMismatch } from '../../src/core/errors.js';
import { planRetention, prune } from '../../src/backup/retention.js';
import { openRepository } from '../../src/storage/index.js';
import type { CatalogEntry } from '../../src/backup/catalog.js';
import type { BackupManifest } from '../../src/backup/manifest.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFakeBackup } from '../helpers/manifests.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let cluster: LocalCluster;
let s3: S3Emulator;

describe('backups in S3', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await loadPagila(cluster);
    s3 = await startS3();
  });
  afterAll(async () => s3?.stop());

  it('round-trips an encrypted backup through the S3 emulator: backup, list, verify with a restore test', async () => {
    const repo = `s3://${s3.bucket}/team/pagila`;
    const { identity, recipient } = generateIdentity();
    const key = join(mkdtempSync(join(tmpdir(), 'pgdr-key-')), 'key.txt');
    writeFileSync(key, identity + '\n', { mode: 0o600 });
    const backup = await runPgdr(
      ['backup', '--db', cluster.urlFor('pagila'), '--repo', repo, '--encrypt-to', recipient, '--json'],
      { env: s3.env },
    );
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(/NodeVersionSupportWarning/);
    const { id, location } = JSON.parse(backup.stdout);
    expect(location).toBe(`${repo}/backups/${id}/`);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json'], { env: s3.env });
    expect(JSON.parse(list.stdout).map((b: { id: string }) => b.id)).toEqual([id]);
    const verify = await runPgdr(
      ['backup', 'verify', id, '--repo', repo, '--identity', key, '--restore-test', '--scratch-db', cluster.url],
      { env: s3.env },
    );
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/21\/21 tables/);
    expect(verify.stderr + verify.stdout).not.toContain(s3.env.AWS_SECRET_ACCESS_KEY!);
    expect(await s3.uploadsInProgress()).toEqual([]);
  });

  it('leaves no open multipart upload and no listed backup when the dump fails during an S3 upload', async () => {
    const repo = `s3://${s3.bucket}/failing`;
    const lock = await holdTableLock(cluster, 'pagila', 'public.rental');
    let pid = 0;
    const running = runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo], {
      env: s3.env,
      onSpawn: (p) => (pid = p),
    });
    const killed = await killPgDump(() => pid);
    await lock.release();
    const r = await running;
    expect(killed).toBe(true);
    expect(r.code).not.toBe(0);
    expect(await s3.uploadsInProgress()).toEqual([]);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json'], { env: s3.env });
    expect(JSON.parse(list.stdout)).toEqual([]);
    expect(await openRepository(repo, { env: s3.env }).list('backups/')).toEqual([]);
  });

  it('a backup of orders leaves the in-flight upload of a concurrent old-orders backup alone', async () => {
    const repo = `s3://${s3.bucket}/concurrent`;
    await createDatabase(cluster, 'orders');
    await createDatabase(cluster, 'old-orders');
    await psql(cluster, 'orders', 'create table o as select g as id from generate_series(1, 100) g');
    await psql(
      cluster,
      'old-orders',
      `create table t as select g as id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) as a from generate_series(1, 350000) g`,
    );
    let pid = 0;
    const old = runPgdr(['backup', '--db', cluster.urlFor('old-orders'), '--repo', repo, '--compress', 'none'], {
      env: s3.env,
      onSpawn: (p) => (pid = p),
    });
    const end = Date.now() + 60_000;
    while (!(await s3.uploadsInProgress()).some((u) => u.key.includes('-full-old-orders/'))) {
      if (Date.now() > end) throw new Error('the old-orders upload never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Held mid-upload while the other database's backup runs from start to end.
    process.kill(pid, 'SIGSTOP');
    try {
      const orders = await runPgdr(['backup', '--db', cluster.urlFor('orders'), '--repo', repo], { env: s3.env });
      expect(orders.code, orders.stderr).toBe(0);
      expect(orders.stderr).not.toContain('unfinished upload');
      expect((await s3.uploadsInProgress()).map((u) => u.key)).toEqual([
        expect.stringMatching(/-full-old-orders\/data\.dump$/),
      ]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const finished = await old;
    expect(finished.code, finished.stderr).toBe(0);
    const list = await runPgdr(['backups', 'list', '--repo', repo, '--json'], { env: s3.env });
    expect(
      JSON.parse(list.stdout)
        .map((b: { database: string }) => b.database)
        .sort(),
    ).toEqual(['old-orders', 'orders']);
  });
});

describe('tool versions', () => {
  it('refuses a pg_dump older than the server and says which version to install', async () => {
    const error = await toolFor('pg_dump', 99).catch((e) => e);
    expect(error).toBeInstanceOf(ToolVersionMismatch);
    expect(error.message).toMatch(
      /pg_dump 15\.\d+ .* cannot work with a PostgreSQL 99 server: it needs pg_dump 99 or newer/,
    );
    expect(error.hint).toContain('postgresql-client-99');
  });
});

function entry(id: string, snapshotTime: string, verified?: boolean): CatalogEntry {
  const manifest = { id, kind: 'full', database: 'app', snapshotTime, bytes: 100 } as BackupManifest;
  return verified === undefined
    ? { manifest }
    : { manifest, verification: { backupId: id, verifiedAt: snapshotTime, ok: verified, checksum: 'ok', errors: [] } };
}

describe('retention', () => {
  it('keeps 7 daily, 4 weekly, 12 monthly, 5 yearly and never the newest verified backup', () => {
    const now = new Date('2025-06-30T12:00:00Z');
    const entries: CatalogEntry[] = [];
    for (let d = 0; d < 400; d++) {
      const t = new Date(now.getTime() - d * 86_400_000 - 3_600_000);
      entries.push(entry(`b${String(1000 - d).padStart(4, '0')}`, t.toISOString(), d === 200 ? true : undefined));
    }
    const decisions = planRetention(entries, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 5 }, now);
    const kept = decisions.filter((d) => d.keep);
    // 7 days + 3 more weeks (week 1 is already a daily) + months, years and the verified one; far fewer than 400.
    expect(kept.length).toBeGreaterThanOrEqual(7 + 3 + 10);
    expect(kept.length).toBeLessThan(30);
    const verified = decisions.find((d) => d.id === 'b0800')!;
    expect(verified.keep).toBe(true);
    expect(verified.reasons).toContain('newest verified');
    const daily = kept.filter((d) => d.reasons.some((r) => r.startsWith('daily')));
    expect(daily).toHaveLength(7);
    expect(kept.filter((d) => d.reasons.some((r) => r.startsWith('monthly')))).toHaveLength(12);
  });

  it('with --retention-days keeps the young ones and always the newest', () => {
    const now = new Date('2025-06-30T12:00:00Z');
    const entries = [
      entry('a', '2025-06-01T00:00:00Z'),
      entry('b', '2025-06-25T00:00:00Z'),
      entry('c', '2025-06-29T00:00:00Z'),
    ];
    const byId = Object.fromEntries(
      planRetention(entries, { keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0, retentionDays: 7 }, now).map(
        (d) => [d.id, d.keep],
      ),
    );
    expect(byId).toEqual({ a: false, b: true, c: true });
    const old = planRetention(
      [entry('z', '2020-01-01T00:00:00Z')],
      { keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0, retentionDays: 7 },
      now,
    );
    expect(old[0]!.keep).toBe(true);
  });

  it('prunes a real repository: --dry-run removes nothing, then the run removes what the policy says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-prune-'));
    const repo = openRepository(dir);
    const ids = ['20250101T020000Z-full-app', '20250102T020000Z-full-app', '20250103T020000Z-full-app'];
    for (const id of ids) await writeFakeBackup(repo, id);
    await repo.writeFile('backups/20241201T020000Z-full-app/data.dump.zst', 'partial');
    const dry = await runPgdr(['prune', '--repo', dir, '--retention-days', '1', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would remove');
    expect((await repo.listDirs('backups/')).length).toBe(4);
    const real = await prune(
      repo,
      { keepDaily: 0, keepWeekly: 0, keepMonthly: 0, keepYearly: 0, retentionDays: 1 },
      { now: new Date('2025-01-03T12:00:00Z') },
    );
    expect(real.removed).toEqual(ids.slice(0, 2));
    expect(real.removedIncomplete).toEqual(['20241201T020000Z-full-app']);
    expect(await repo.listDirs('backups/')).toEqual([ids[2]]);
    const bad = await runPgdr(['prune', '--repo', dir, '--keep-daily', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--keep-daily must be a whole number');
  });
});
