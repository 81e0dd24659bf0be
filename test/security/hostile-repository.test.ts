import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  ftruncateSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { psql, useClusterWith } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { idAt, localRepository, s3Repository, snapshotTree, upcomingIds, type PlantedRepository } from './planted.js';

let cluster: LocalCluster;
let s3: S3Emulator;
const MiB = 1024 * 1024;

beforeAll(async () => {
  cluster = await useClusterWith(
    'app',
    'create table notes (id int primary key, body text); insert into notes select g, repeat(g::text, 20) from generate_series(1, 300) g;',
  );
  s3 = await startS3();
});
afterAll(async () => s3?.stop());

const db = () => cluster.urlFor('app');

/** A real backup of app in `repo`; returns its id and manifest. */
async function realBackup(repo: PlantedRepository): Promise<{ id: string; manifest: Record<string, unknown> }> {
  const r = await repo.pgdr(['backup', '--db', db(), '--json']);
  expect(r.code, r.stderr).toBe(0);
  const { id } = JSON.parse(r.stdout) as { id: string };
  const manifest = JSON.parse((await repo.get(`backups/${id}/manifest.json`))!.toString()) as Record<string, unknown>;
  return { id, manifest };
}

/** A copy of a real backup under another (older) id, its manifest edited by `edit`. */
async function copyBackup(
  repo: PlantedRepository,
  from: { id: string; manifest: Record<string, unknown> },
  at: Date,
  edit: (m: Record<string, unknown>) => string | Buffer = (m) => JSON.stringify(m),
): Promise<string> {
  const id = idAt(at, 'full', 'app');
  for (const key of await repo.keys(`backups/${from.id}/`)) {
    const name = key.slice(`backups/${from.id}/`.length);
    if (name !== 'manifest.json') await repo.put(`backups/${id}/${name}`, (await repo.get(key))!);
  }
  const manifest = { ...from.manifest, id, snapshotTime: at.toISOString(), startedAt: at.toISOString() };
  await repo.put(`backups/${id}/manifest.json`, edit(manifest));
  return id;
}

const listed = async (repo: PlantedRepository) => {
  const r = await repo.pgdr(['backups', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { ids: (JSON.parse(r.stdout) as { id: string }[]).map((b) => b.id), stderr: r.stderr };
};

describe.each([
  ['local', () => localRepository(mkdtempSync(join(tmpdir(), 'pgdr-hostile-')))],
  ['s3', () => s3Repository(s3, `hostile-${Math.random().toString(36).slice(2, 8)}`)],
] as const)('a hostile repository (%s)', (_name, open) => {
  it('never prunes the newest real backup for planted manifests that claim another database and its id', async () => {
    const repo = open();
    const real = await realBackup(repo);
    const before = await repo.keys(`backups/${real.id}/`);
    const older = '20200101T000000Z-full-other';
    const newer = '20200102T000000Z-full-other';
    await repo.put(
      `backups/${older}/manifest.json`,
      JSON.stringify({ ...real.manifest, id: real.id, database: 'other', snapshotTime: '2020-01-01T00:00:00.000Z' }),
    );
    await repo.put(
      `backups/${newer}/manifest.json`,
      JSON.stringify({ ...real.manifest, id: newer, database: 'other', snapshotTime: '2020-01-02T00:00:00.000Z' }),
    );
    const r = await repo.pgdr([
      'prune',
      '--keep-daily',
      '1',
      '--keep-weekly',
      '0',
      '--keep-monthly',
      '0',
      '--keep-yearly',
      '0',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await repo.keys(`backups/${real.id}/`)).toEqual(before);
    expect((await listed(repo)).ids).toEqual([real.id]);
    expect(r.stderr).toContain(
      `Skipped backup ${older}: its manifest cannot be used: its id "${real.id}" is not the name of its directory`,
    );
    expect(r.stderr).toContain(`Skipped backup ${newer}`);
    expect(await repo.keys(`backups/${older}/`)).toEqual([`backups/${older}/manifest.json`]);
  });

  it('lists, restores, verifies and prunes past malformed manifests, and names each one', async () => {
    const repo = open();
    const real = await realBackup(repo);
    const bad: Record<string, string | Buffer> = {
      '20200101T000000Z-full-app': '{}',
      '20200102T000000Z-full-app': '[]',
      '20200103T000000Z-full-app': JSON.stringify({ ...real.manifest, id: 42 }),
      '20200104T000000Z-full-app': '['.repeat(2_000_000) + ']'.repeat(2_000_000),
      'not-a-backup': JSON.stringify(real.manifest),
    };
    for (const [dir, body] of Object.entries(bad)) await repo.put(`backups/${dir}/manifest.json`, body);
    // Over the 16 MiB cap: a sparse 300 MB file locally, 17 MiB through the S3 emulator.
    const huge = '20200105T000000Z-full-app';
    if (repo.name === 'local') {
      mkdirSync(join(repo.repo, 'backups', huge), { recursive: true });
      const fd = openSync(join(repo.repo, 'backups', huge, 'manifest.json'), 'w');
      writeSync(fd, '{"id": "');
      ftruncateSync(fd, 300 * MiB);
      closeSync(fd);
    } else await repo.put(`backups/${huge}/manifest.json`, Buffer.alloc(17 * MiB, 32));
    await repo.put(`backups/${real.id}/verification.json`, '{"ok":true}');
    const noSha = await copyBackup(
      repo,
      real,
      new Date(Date.parse(real.manifest.snapshotTime as string) - 3_600_000),
      (m) => {
        const files = (m.files as Record<string, unknown>[]).map(({ sha256: _drop, ...f }) => f);
        return JSON.stringify({ ...m, files });
      },
    );

    const list = await listed(repo);
    expect(list.ids).toEqual([real.id]);
    for (const dir of [...Object.keys(bad), huge, noSha]) expect(list.stderr).toContain(`Skipped backup ${dir}:`);
    expect(list.stderr).toContain(`Ignored the verification record of backup ${real.id}`);
    expect(list.stderr).not.toMatch(/unexpected|TypeError|Cannot read/i);

    const restored = await repo.pgdr(['restore', 'latest', '--db', db(), '--new-db', `from_latest_${repo.name}`]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await psql(cluster, `from_latest_${repo.name}`, 'select count(*) from notes')).toBe('300\n');

    const refused = await repo.pgdr(['restore', noSha, '--db', db(), '--new-db', `never_${repo.name}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Backup ${noSha} cannot be used: its manifest cannot be used: it lacks the field files.0.sha256`,
    );
    expect(refused.stderr).not.toMatch(/unexpected|TypeError/i);

    const verify = await repo.pgdr(['backup', 'verify', 'latest']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`Backup ${real.id} verified`);

    const keysBefore = await repo.keys();
    const pruned = await repo.pgdr(['prune', '--retention-days', '30']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/Kept 7 damaged backup directories as found/);
    expect(await repo.keys()).toEqual(keysBefore);
  });

  it('never takes a backup into a directory someone else made, such as one holding a forged verification', async () => {
    const repo = open();
    // Ids are predictable: the next 30 seconds' backups of app are all planted.
    const planted = upcomingIds(30);
    for (const id of planted)
      await repo.put(`backups/${id}/verification.json`, JSON.stringify({ backupId: id, ok: true }));
    const before = await repo.keys();
    const r = await repo.pgdr(['backup', '--db', db()]);
    expect(await repo.keys()).toEqual(before);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pgdr never writes a backup into a directory it did not create');
  });

  it('keeps an intact backup whose manifest was truncated, and says so', async () => {
    const repo = open();
    const real = await realBackup(repo);
    const truncated = await copyBackup(repo, real, new Date('2021-03-04T05:06:07Z'), (m) => {
      const text = JSON.stringify(m, null, 2);
      return text.slice(0, Math.floor(text.length / 2));
    });
    const before = await repo.keys(`backups/${truncated}/`);
    const r = await repo.pgdr(['prune', '--retention-days', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(await repo.keys(`backups/${truncated}/`)).toEqual(before);
    expect(r.stderr).toContain(`Skipped backup ${truncated}: its manifest cannot be used: it is not valid JSON`);
    expect(r.stdout).toContain('Kept 1 damaged backup directory as found');
  });
});

describe('a hostile local repository: links', () => {
  it('never writes or deletes through a planted directory link, whatever a manifest says its id is', async () => {
    const repo = localRepository(mkdtempSync(join(tmpdir(), 'pgdr-links-')));
    const real = await realBackup(repo);
    const outside = mkdtempSync(join(tmpdir(), 'pgdr-victim-'));
    mkdirSync(join(outside, 'sub'));
    writeFileSync(join(outside, 'sub', 'important.txt'), 'do not touch');
    writeFileSync(join(outside, 'manifest.json'), JSON.stringify(real.manifest));
    symlinkSync(outside, join(repo.repo, 'backups', 'lnk'));
    const evil = { ...real.manifest, id: 'lnk/sub', snapshotTime: '2020-01-01T00:00:00.000Z' };
    await repo.put('backups/zz-evil/manifest.json', JSON.stringify(evil));
    mkdirSync(join(repo.repo, 'backups', '20200101T000000Z-full-app'));
    symlinkSync(
      join(outside, 'manifest.json'),
      join(repo.repo, 'backups', '20200101T000000Z-full-app', 'manifest.json'),
    );
    const victim = snapshotTree(outside);

    const verify = await repo.pgdr(['backup', 'verify', 'lnk/sub']);
    const prune = await repo.pgdr(['prune', '--retention-days', '30']);
    expect(snapshotTree(outside)).toEqual(victim);
    expect(verify.code).not.toBe(0);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stderr).toContain('Skipped backup zz-evil: its name is not a backup id');
    expect(prune.stderr).toMatch(/Skipped backup 20200101T000000Z-full-app: .*symbolic link/);
    expect((await listed(repo)).ids).toEqual([real.id]);
  });

  it('restores from a backup directory copied out of its repository and renamed, without making a link', async () => {
    const repo = localRepository(mkdtempSync(join(tmpdir(), 'pgdr-copied-')));
    const real = await realBackup(repo);
    const copy = join(mkdtempSync(join(tmpdir(), 'pgdr-copy-')), 'last-night');
    cpSync(join(repo.repo, 'backups', real.id), copy, { recursive: true });
    const r = await runPgdr(['restore', copy, '--db', db(), '--new-db', 'from_copy']);
    expect(r.code, r.stderr).toBe(0);
    expect(await psql(cluster, 'from_copy', 'select count(*) from notes')).toBe('300\n');
  });

  it('never writes a backup through a planted in-flight file, nor into a directory it did not create', async () => {
    const repo = localRepository(mkdtempSync(join(tmpdir(), 'pgdr-partial-')));
    const outside = mkdtempSync(join(tmpdir(), 'pgdr-target-'));
    writeFileSync(join(outside, 'target.txt'), 'precious');
    // Ids are predictable: the next 30 seconds' backups of app are all planted.
    const planted = upcomingIds(30);
    for (const id of planted) {
      mkdirSync(join(repo.repo, 'backups', id), { recursive: true });
      symlinkSync(join(outside, 'target.txt'), join(repo.repo, 'backups', id, 'data.dump.zst.partial'));
    }
    const victim = snapshotTree(outside);
    const r = await repo.pgdr(['backup', '--db', db()]);
    expect(snapshotTree(outside)).toEqual(victim);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exist already/);
    expect(r.stderr).toContain('pgdr never writes a backup into a directory it did not create');
    for (const id of planted)
      expect(snapshotTree(join(repo.repo, 'backups', id))).toEqual({
        'data.dump.zst.partial': `-> ${join(outside, 'target.txt')}`,
      });
  });
});
