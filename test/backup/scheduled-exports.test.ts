import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useClusterWith } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import { runProcess } from '../../src/core/system.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
const work = mkdtempSync(join(tmpdir(), 'pgdr-exports-'));
const repo = join(work, 'repo');
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await useClusterWith(
    'app',
    `create table users (id int primary key, email text);
     insert into users select g, 'user' || g || '@example.com' from generate_series(1, 250) g;
     create table exams (id int primary key, title text, note text);
     insert into exams select g, 'exam ' || g, case when g % 2 = 0 then 'has, a comma' else null end from generate_series(1, 40) g;`,
  );
  writeFileSync(
    join(work, 'pgdr.config.yaml'),
    [
      'targets: { prod: { urlEnv: APP_URL, role: production } }',
      `repository: { url: ${repo} }`,
      'exports:',
      '  weekly:',
      '    tables: [public.users, public.exams]',
      '    format: csv',
      '    keepWeeks: 12',
      '  broken:',
      '    tables: [public.nosuch]',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  env = { APP_URL: cluster.urlFor('app'), PGDR_HOME: join(work, 'home'), PGDR_CONFIG: '' };
});

const run = (args: string[]) => runPgdr(args, { env, cwd: work });
const csv = async (path: string) => (await runProcess('zstd', ['-d', '-c', '-q', path])).trimEnd().split('\n');

describe('scheduled exports (exports: in the config)', () => {
  it('pgdr exports run takes every named table in one snapshot, compressed, into exports/<name>/', async () => {
    const r = await run(['exports', 'run', 'weekly', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout) as { id: string; tables: { table: string; rows: number; path: string }[] };
    expect(m.tables.map((t) => [t.table, t.rows])).toEqual([
      ['public.users', 250],
      ['public.exams', 40],
    ]);
    const dir = join(repo, 'exports', 'weekly', m.id);
    expect(readdirSync(dir).sort()).toEqual(['01-public.users.csv.zst', '02-public.exams.csv.zst', 'export.json']);
    const users = await csv(join(dir, '01-public.users.csv.zst'));
    expect(users[0]).toBe('id,email');
    expect(users).toHaveLength(251);
    expect(await csv(join(dir, '02-public.exams.csv.zst'))).toContain('2,exam 2,"has, a comma"');
    const list = await run(['exports', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^weekly\\s+${m.id}\\s+app\\s+csv\\s+2\\s+290\\s`, 'm'));
  });

  it('prune keeps each export keepWeeks weeks and removes the older ones', async () => {
    const [current] = readdirSync(join(repo, 'exports', 'weekly'));
    const old = '20200105T010000Z';
    const oldDir = join(repo, 'exports', 'weekly', old);
    cpSync(join(repo, 'exports', 'weekly', current!), oldDir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(oldDir, 'export.json'), 'utf8')) as { id: string };
    writeFileSync(join(oldDir, 'export.json'), JSON.stringify({ ...manifest, id: old }));

    const dry = await run(['prune', '--dry-run']);
    expect(dry.stdout).toContain(`Exports: would remove 1 (weekly/${old}) older than their keepWeeks.`);
    expect(existsSync(oldDir)).toBe(true);
    const r = await run(['prune']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Exports: removed 1 (weekly/${old}) older than their keepWeeks.`);
    expect(existsSync(oldDir)).toBe(false);
    expect(readdirSync(join(repo, 'exports', 'weekly'))).toEqual([current]);
  });

  it('a failed export is audited, leaves nothing behind, and an unknown name is bad input', async () => {
    const r = await run(['exports', 'run', 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Export broken failed: .*nosuch/);
    expect(existsSync(join(repo, 'exports', 'broken'))).toBe(false);
    const audit = readFileSync(join(work, 'home', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { command: string; result: string });
    expect(audit.at(-1)).toMatchObject({ command: 'export', result: 'failed' });
    const unknown = await run(['exports', 'run', 'monthly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Known exports: weekly, broken');
  });
});
