import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith, psql } from '../helpers/cluster.js';
import { schemaFingerprint, tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
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
    // Nearly all of the data in one table, which comes first in the archive; a trigger on it that must not fire
    // during the restore, an index, and foreign keys to and from it.
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
    const b = await runPgdr(['backup', '--db', cluster.urlFor('docs'), '--repo', repo, '--json']);
    expect(b.code, b.stderr).toBe(0);
    id = JSON.parse(b.stdout).id;
  });

  it('the plan says how: definitions while staging, the largest table from the staged file, the rest after the check', async () => {
    const r = await dryRun(['--new-db', 'planned']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'the definitions (--section=pre-data) as soon as the staged file holds the table of contents',
    );
    expect(r.stdout).toMatch(
      /the largest table's data \([\d.]+ MiB, \d+ % of what the backup's data offsets measure\) loads from the staged file as it is written/,
    );
    expect(r.stdout).toContain('a failed check stops it and drops the new database');
    expect(r.stdout).toContain("each from the new database's statistics counters where they agree exactly");
    const inPlace = await dryRun(['--clean', '--confirm', 'docs']);
    expect(inPlace.stdout).not.toContain('overlapped');
    expect(inPlace.stdout).toContain('count(*) of each');
  });

  it('loads the largest table while the archive is staged, and the database comes back identical', async () => {
    const r = await restore(['--new-db', 'overlapped']);
    expect(r.code, r.stderr).toBe(0);
    // It holds nearly all the data, so it is shared out among the jobs' sessions.
    expect(r.stderr).toMatch(
      /Loading public\.docs \([\d.]+ MiB, the largest table, on \d+ sessions\) as the archive is staged/,
    );
    expect(r.stderr).toContain('Backup checked: the sha256 of 1 file(s) matches the manifest.');
    expect(await tableFingerprints(cluster.target('overlapped'))).toEqual(
      await tableFingerprints(cluster.target('docs')),
    );
    expect(await schemaFingerprint(cluster.target('overlapped'))).toEqual(
      await schemaFingerprint(cluster.target('docs')),
    );
    // Each table counted exactly, from the counters or with count(*).
    for (const t of r.json.tables) {
      expect(t.actual, t.table).toBe(t.expected);
      expect(['statistics', 'count']).toContain(t.countedBy);
    }
  });

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
      expect(r.stderr).toMatch(new RegExp(`error: Backup ${id}: data.dump.zst does not match its checksum`));
      expect(r.stderr).toContain(
        'the half-restored database never_checked was dropped; no existing database was touched.',
      );
      expect(await databases()).toEqual(before);
    }
  });
});
