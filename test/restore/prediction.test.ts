import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let repo: string;

const restore = (name: string, extra: string[] = []) =>
  runPgdr(['restore', 'latest', '--repo', repo, '--db', cluster.urlFor('app'), '--new-db', name, ...extra]);

describe('restore predictions from the repository history', () => {
  beforeAll(async () => {
    cluster = await useClusterWith(
      'app',
      `create table orders (id bigint primary key, note text);
       insert into orders select g, md5(g::text) from generate_series(1, 20000) g;
       create index on orders (note);
       create table customers (id int primary key, name text);
       insert into customers select g, 'c' || g from generate_series(1, 500) g;`,
    );
    repo = mkdtempSync(join(tmpdir(), 'pgdr-predict-'));
    const backup = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', repo, '--json']);
    expect(backup.code, backup.stderr).toBe(0);
  });

  it('a first guess without history; after two restores the third rests on them; each run leaves one record', async () => {
    const dry = await restore('r0', ['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Expected duration .* \(first guess from the archive size and the cores/);
    expect(dry.stdout).toMatch(/load \(COPY\)\s+\S+/);

    for (const name of ['r1', 'r2']) {
      const r = await restore(name);
      expect(r.code, r.stderr).toBe(0);
      if (name === 'r2')
        expect(r.stdout).toMatch(/ time .*load \(COPY\) \S+ \(predicted \S+\).* in all \(based on 1 past restore\)/);
    }
    const records = readdirSync(join(repo, 'history', 'restores'));
    expect(records).toHaveLength(2);
    const record = JSON.parse(readFileSync(join(repo, 'history', 'restores', records[0]!), 'utf8'));
    expect(record).toMatchObject({ version: 1, archive: { tables: 2 }, mode: 'new-db' });
    expect(Object.keys(record.phases)).toEqual(['stage', 'load', 'indexes', 'analyze']);

    const third = await restore('r3', ['--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/Expected duration \S+ \(based on 2 past restores\):/);
    expect(third.stderr).toMatch(/indexes and constraints\s+\S+/);
    const result = JSON.parse(third.stdout);
    expect(result.prediction.runs).toBe(2);
    expect(Object.keys(result.timing.phases)).toEqual(['stage', 'load', 'indexes', 'analyze']);
  });

  it('hostile history records are ignored and named; a symlink is never followed', async () => {
    const dir = join(repo, 'history', 'restores');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '20260101T000000Z-0000000a.json'), '{"version":1,"totalMs":-1}');
    writeFileSync(join(dir, '20260101T000000Z-0000000b.json'), 'not json\u001b[31m');
    writeFileSync(join(dir, 'planted.json'), '{}');
    const secret = join(repo, 'outside.json');
    writeFileSync(
      secret,
      readFileSync(
        join(
          dir,
          readdirSync(dir).find((f) => f.startsWith('2026120'))!,
        ),
      ),
    );
    symlinkSync(secret, join(dir, '20260101T000000Z-0000000c.json'));

    const dry = await restore('r4', ['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/ignored history\/restores\/20260101T000000Z-0000000a\.json \(at: /);
    expect(dry.stderr).toMatch(/ignored history\/restores\/20260101T000000Z-0000000b\.json \(not JSON\)/);
    expect(dry.stderr).toMatch(/ignored history\/restores\/planted\.json \(not a name pgdr writes\)/);
    expect(dry.stderr).not.toMatch(/\u001b\[31m/);
    // The three genuine records only: the symlink's copy of one is not read.
    expect(dry.stdout).toMatch(/based on 3 past restores/);
  });

  it('backup verify --restore-test is predicted and timed from the history of verifications only', async () => {
    const scratch = ['--restore-test', '--scratch-db', cluster.urlFor('postgres')];
    const verify = () => runPgdr(['backup', 'verify', 'latest', '--repo', repo, ...scratch, '--json']);
    const first = await verify();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Expected duration \S+ \(first guess/);
    const second = await verify();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/Expected duration \S+ \(based on 1 past restore\):/);
    const result = JSON.parse(second.stdout);
    expect(result).toMatchObject({ ok: true, prediction: { runs: 1 } });
    expect(result.timing.totalMs).toBeGreaterThan(0);
  });
  it('a drill says in its preflight how long restoring the newest backup is expected to take', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdr-predict-drill-'));
    writeFileSync(
      join(dir, 'rb.yaml'),
      `id: restore-only\ntitle: Restore only\nseverity: low\nrto: 1h\nrpo: 24h\nphases:\n  - id: restore\n    title: Restore\n    steps:\n` +
        '      - { id: pick, title: Pick, action: backup.select }\n' +
        '      - { id: restore, title: Restore, action: restore.run, with: { id: "${{ steps.pick.outputs.backupId }}" } }\n',
    );
    const r = await runPgdr(
      [
        'drill',
        'rb.yaml',
        '--db',
        cluster.urlFor('app'),
        '--scratch',
        cluster.urlFor('drill_scratch'),
        '--repo',
        repo,
        '--yes',
        '--plain',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /A restore of the newest backup here \(\S+\) into a new database is expected to take about \S+ \(based on \d+ past restores\)/,
    );
  });
});
