import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { schemaFingerprint, tableFingerprints } from '../helpers/compare.js';
import { pgdrCommand, ROOT, runPgdr } from '../helpers/cli.js';
import { takeBackup } from '../helpers/backups.js';
import { startS3, type S3Emulator } from '../helpers/s3.js';
import { startChaosProxy, type ChaosProxy } from '../helpers/chaos-proxy.js';
import { until } from '../faults/fault-helpers.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;
let id: string;

const databases = async () =>
  (await psql(cluster, 'postgres', 'select datname from pg_database order by 1')).trim().split('\n');

/** pgdr restore into a new database, the JSON result and what it printed. */
async function restore(args: string[], from = repo) {
  const r = await runPgdr(['restore', id, '--repo', from, '--db', cluster.urlFor('docs'), '--json', ...args]);
  return { ...r, json: r.code === 0 ? JSON.parse(r.stdout) : undefined };
}

/** The plan pgdr restore --dry-run prints. */
const dryRun = (args: string[]) =>
  runPgdr(['restore', id, '--repo', repo, '--db', cluster.urlFor('docs'), '--dry-run', ...args]);

describe('a restore into a new database overlaps with the check and the staging of the archive', () => {
  beforeAll(async () => {
    // Nearly all of the data in one table, a trigger on it that must not fire during the restore, an index, and
    // foreign keys to and from it.
    cluster = await useClusterWith(
      'docs',
      `create table kinds (id int primary key, label text not null);
       insert into kinds select g, 'k' || g from generate_series(1, 20) g;
       create table docs (id bigint primary key, kind_id int not null references kinds(id), body text not null, meta jsonb not null);
       create table docs_audit (doc_id bigint, note text);
       create function audit() returns trigger language plpgsql as $$ begin insert into docs_audit values (new.id, 'inserted'); return new; end $$;
       insert into docs select g, 1 + g % 20, repeat(md5(g::text), 8), jsonb_build_object('n', g) from generate_series(1, 150000) g;
       create trigger docs_audit after insert on docs for each row execute function audit();
       insert into docs values (150001, 1, 'after the trigger', '{}');
       create index on docs (kind_id);
       create table notes (id int primary key, doc_id bigint references docs(id), note text);
       insert into notes select g, g, 'n' || g from generate_series(1, 100) g;`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-overlap-'));
    id = await takeBackup(['--db', cluster.urlFor('docs'), '--repo', repo]);
  });

  it('the plan says when the sha256 is checked: alongside a restore into a new database, first in place', async () => {
    const parallel = await dryRun(['--new-db', 'planned']);
    expect(parallel.code, parallel.stderr).toBe(0);
    expect(parallel.stdout).toContain(
      'overlapped with the staging: the definitions (--section=pre-data) as soon as the staged file holds the table of contents',
    );
    expect(parallel.stdout).toContain('a failed check stops it and drops the new database');
    expect(parallel.stdout).toContain("each from the new database's statistics counters where they agree exactly");
    const streamed = await dryRun(['--new-db', 'planned', '--jobs', '1']);
    expect(streamed.stdout).toContain('starts while the sha256 of the stored archive is checked alongside');
    const inPlace = await dryRun(['--clean', '--confirm', 'docs']);
    expect(inPlace.stdout).not.toContain('overlapped');
    expect(inPlace.stdout).not.toContain('alongside');
    expect(inPlace.stdout).toContain('count(*) of each');
  });

  for (const jobs of [[], ['--jobs', '1']]) {
    it(`the database comes back identical, each table counted exactly (${jobs.join(' ') || 'parallel'})`, async () => {
      const into = jobs.length ? 'streamed' : 'overlapped';
      const r = await restore(['--new-db', into, ...jobs]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Backup checked: the sha256 of 1 file(s) matches the manifest.');
      expect(await tableFingerprints(cluster.target(into))).toEqual(await tableFingerprints(cluster.target('docs')));
      expect(await schemaFingerprint(cluster.target(into))).toEqual(await schemaFingerprint(cluster.target('docs')));
      for (const t of r.json.tables) {
        expect(t.actual, t.table).toBe(t.expected);
        expect(['statistics', 'count']).toContain(t.countedBy);
      }
    });
  }

  it('a failed check stops the restore already under way and drops the database it created; nothing else changes', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'pgdr-overlap-bad-'));
    cpSync(join(repo, 'backups', id), join(copy, 'backups', id), { recursive: true });
    const manifestPath = join(copy, 'backups', id, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    // The archive reads and loads fine: only its sha256 says it is not the one the backup wrote.
    manifest.files[0].sha256 = 'e'.repeat(64);
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const before = await databases();
    for (const jobs of [[], ['--jobs', '1']]) {
      const r = await restore(['--new-db', 'never_checked', ...jobs], copy);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: Backup ${id}: data.dump.zst does not match its checksum`);
      expect(r.stderr).toContain(
        'the half-restored database never_checked was dropped; no existing database was touched.',
      );
      expect(await databases()).toEqual(before);
    }
  });

  describe('from S3, the download held part-way', () => {
    let s3: S3Emulator;
    let proxy: ChaosProxy;
    let s3Id: string;
    beforeAll(async () => {
      s3 = await startS3();
      s3Id = await takeBackup(['--db', cluster.urlFor('docs'), '--repo', `s3://${s3.bucket}/overlap`], s3.env);
      proxy = await startChaosProxy(
        { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) },
        { kind: 'stall-download-after', bytes: 300_000 },
      );
    });
    afterAll(async () => {
      await proxy?.stop();
      await s3?.stop();
    });

    it('the new database gets its tables while the archive is still downloaded and checked; stopped, it is dropped', async () => {
      const staging = mkdtempSync(join(tmpdir(), 'pgdr-overlap-staging-'));
      const child = spawn(
        process.execPath,
        [
          ...pgdrCommand(),
          'restore',
          s3Id,
          '--repo',
          `s3://${s3.bucket}/overlap`,
          '--db',
          cluster.urlFor('docs'),
          '--new-db',
          'held',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, ...s3.env, AWS_ENDPOINT_URL: proxy.url, PGDR_STAGING_DIR: staging, NO_COLOR: '1' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const tables = async () =>
        (await databases()).includes('held') &&
        (await psql(cluster, 'held', "select count(*) from pg_tables where schemaname = 'public'")).trim() === '4';
      // The definitions are restored from the head of the archive; the rest of it has not even arrived.
      await until('the tables of the new database', tables);
      expect(stderr).not.toContain('Backup checked');
      expect(Number(await psql(cluster, 'held', 'select count(*) from docs'))).toBe(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(130);
      expect(stderr).toContain('the half-restored database held was dropped');
      expect(await databases()).not.toContain('held');
      expect(readdirSync(staging)).toEqual([]);
    });
  });
});
