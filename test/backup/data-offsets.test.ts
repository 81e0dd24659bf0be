import { describe, expect, it, beforeAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { loadPagila } from '../helpers/pagila.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import { libpqEnv } from '../../src/pg/connection.js';
import { DataOffsetScanner, OFFSET_SET, readArchiveHead } from '../../src/backup/custom-archive.js';
import { recordDataOffsets } from '../../src/restore/archive-offsets.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import type { BackupManifest } from '../../src/backup/manifest.js';

let cluster: LocalCluster;
const work = mkdtempSync(join(tmpdir(), 'pgdr-offsets-'));
const pgDump = (args: string[]) =>
  execFileSync(join(cluster.binDir, 'pg_dump'), ['--format=custom', '--compress=0', ...args], {
    env: libpqEnv(cluster.target('pagila')),
    maxBuffer: 1 << 30,
  });
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The offsets pg_dump itself writes into the table of contents when its output is a file it can seek in. */
function offsetsIn(archive: Buffer): Record<string, number> {
  const head = readArchiveHead(archive)!;
  return Object.fromEntries(
    head.entries
      .filter((e) => e.state === OFFSET_SET)
      .map((e) => [String(e.dumpId), Number(archive.readBigUInt64LE(e.at + 1))]),
  );
}

describe('data offsets of piped custom archives', () => {
  let truth: Record<string, number>;
  let piped: Buffer;

  beforeAll(async () => {
    cluster = await useCluster();
    await loadPagila(cluster);
    // A large object too: its data is a block of another kind (BLOBS) that the scanner must step over.
    await psql(cluster, 'pagila', `select lo_from_bytea(0, convert_to(repeat('pgdr ', 5000), 'UTF8'))`);
    pgDump([`--file=${join(work, 'seekable.dump')}`]);
    truth = offsetsIn(readFileSync(join(work, 'seekable.dump')));
    piped = pgDump([]);
  });

  it('notes, while the dump streams past, the offsets pg_dump records when it can seek, however the stream is cut', () => {
    expect(Object.keys(truth).length).toBeGreaterThan(20);
    expect(readArchiveHead(piped)!.entries.some((e) => e.state === OFFSET_SET)).toBe(false);

    const whole = new DataOffsetScanner();
    whole.feed(piped);
    expect(whole.offsets()).toEqual(truth);

    // Cuts anywhere, including inside the table of contents and inside the length words.
    let seed = 7;
    const cut = new DataOffsetScanner();
    for (let at = 0; at < piped.length;) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const n = 1 + (seed % (at < 300_000 ? 9 : 70_000));
      cut.feed(piped.subarray(at, at + n));
      at += n;
    }
    expect(cut.offsets()).toEqual(truth);

    // pg_dump's own gzip (pgdr backup --compress gzip): the blocks hold compressed chunks, framed the same way.
    const gzipped = pgDump(['--compress=6']);
    pgDump(['--compress=6', `--file=${join(work, 'seekable-gzip.dump')}`]);
    const gzipScan = new DataOffsetScanner();
    gzipScan.feed(gzipped);
    expect(gzipScan.offsets()).toEqual(offsetsIn(readFileSync(join(work, 'seekable-gzip.dump'))));

    const truncated = new DataOffsetScanner();
    truncated.feed(piped.subarray(0, piped.length - 100));
    expect(truncated.offsets()).toBeUndefined();
  });

  it('writes the offsets into a staged archive, which pg_restore --jobs then restores whole; a wrong offset changes nothing', async () => {
    const staged = join(work, 'staged.dump');
    writeFileSync(staged, piped);
    const wrong = join(work, 'wrong.dump');
    copyFileSync(staged, wrong);
    const before = sha(wrong);
    const [id, offset] = Object.entries(truth)[3]!;
    expect(await recordDataOffsets(wrong, { ...truth, [id]: offset + 1 })).toMatch(`entry ${id}`);
    expect(sha(wrong)).toBe(before);

    expect(await recordDataOffsets(staged, truth)).toBeUndefined();
    expect(offsetsIn(readFileSync(staged))).toEqual(truth);
    expect(await recordDataOffsets(staged, truth)).toBe('the archive has offsets already');
    await createDatabase(cluster, 'from_staged');
    execFileSync(join(cluster.binDir, 'pg_restore'), ['--exit-on-error', '--jobs=2', '-d', 'from_staged', staged], {
      env: libpqEnv(cluster.target('from_staged')),
    });
    expect(await tableFingerprints(cluster.target('from_staged'))).toEqual(
      await tableFingerprints(cluster.target('pagila')),
    );
  });

  it('pgdr backup keeps them in the manifest, and pgdr restore --jobs 2 writes them into its staged copy', async () => {
    const repo = join(work, 'repo');
    const backup = await runPgdr(['backup', '--db', cluster.urlFor('pagila'), '--repo', repo, '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    const { id } = JSON.parse(backup.stdout) as { id: string };
    const manifest = JSON.parse(readFileSync(join(repo, 'backups', id, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(manifest.dataOffsets).toEqual(truth);

    const plan = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('pagila'),
      '--new-db',
      'pagila_back',
      '--jobs',
      '2',
      '--dry-run',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('with the data offsets the backup noted');
    const restore = await runPgdr([
      'restore',
      'latest',
      '--repo',
      repo,
      '--db',
      cluster.urlFor('pagila'),
      '--new-db',
      'pagila_back',
      '--jobs',
      '2',
      '--verbose',
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout + restore.stderr).not.toContain('Data offsets not written');
    expect(await tableFingerprints(cluster.target('pagila_back'))).toEqual(
      await tableFingerprints(cluster.target('pagila')),
    );
  });
});
