import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, psql, useClusterWith } from '../helpers/cluster.js';
import { tableFingerprints } from '../helpers/compare.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';
import { snapshotTree } from './planted.js';

let cluster: LocalCluster;
let repo: string;
let id: string;
const temp = (label: string) => mkdtempSync(join(tmpdir(), `pgdr-${label}-`));
/** `pgdr restore <the backup> --repo <repo>` and `args`. */
const restore = (args: string[], env?: Record<string, string | undefined>) =>
  runPgdr(['restore', id, '--repo', repo, ...args], { env });

beforeAll(async () => {
  cluster = await useClusterWith(
    'app',
    'create table notes (id int primary key, body text); insert into notes select g, g::text from generate_series(1, 40) g;',
  );
  await createDatabase(cluster, 'victimdb');
  await psql(cluster, 'victimdb', 'create table precious (id int); insert into precious values (1), (2), (3);');
  repo = temp('repo');
  const r = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--repo', repo, '--json']);
  expect(r.code, r.stderr).toBe(0);
  id = (JSON.parse(r.stdout) as { id: string }).id;
});

describe('database names', () => {
  it('restores --new-db "dbname=victimdb" into a new database of that name, never into victimdb', async () => {
    const before = await tableFingerprints(cluster.target('victimdb'));
    const r = await restore(['--db', cluster.urlFor('app'), '--new-db', 'dbname=victimdb']);
    expect(await tableFingerprints(cluster.target('victimdb'))).toEqual(before);
    expect(r.code, r.stderr).toBe(0);
    expect(await psql(cluster, 'dbname=victimdb', 'select count(*) from notes')).toBe('40\n');
  });

  it('refuses a new database name with a control character or longer than PostgreSQL keeps', async () => {
    for (const name of ['bad\nname', 'x'.repeat(64)]) {
      const r = await restore(['--db', cluster.urlFor('app'), '--new-db', name]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('cannot be the name of a new database');
    }
  });
});

describe('keys', () => {
  it('refuses --encrypt-to age1notakey before the lock or pg_dump: exit 2, no lock left, audited and notified', async () => {
    const home = temp('home');
    const dir = temp('enc');
    const received: string[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => void (received.push(body), res.end('ok')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const config = join(dir, 'pgdr.config.yaml');
    writeFileSync(config, 'notifications:\n  webhook: { urlEnv: HOOK }\n', { mode: 0o600 });
    try {
      const r = await runPgdr(
        ['backup', '--db', cluster.urlFor('app'), '--repo', dir, '--encrypt-to', 'age1notakey', '--config', config],
        { env: { PGDR_HOME: home, HOOK: `http://127.0.0.1:${port}/hook` } },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('"age1notakey" is not an age X25519 recipient');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'locks')) ? readdirSync(join(dir, 'locks')) : []).toEqual([]);
      expect(existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')) : []).toEqual([]);
      const audit = readFileSync(join(home, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(audit.at(-1)).toMatchObject({ command: 'backup', result: 'failed' });
      expect(received.join('\n')).toContain('backup.failed');
    } finally {
      server.close();
    }
  });
});

describe('schedules', () => {
  it('refuses a cron line cron would reject, in --cron, --systemd and doctor alike', async () => {
    const dir = temp('cron');
    const config = join(dir, 'pgdr.config.yaml');
    writeFileSync(config, 'repository: { url: ' + repo + ' }\nschedules:\n  full: "99 99 * * *"\n', { mode: 0o600 });
    for (const way of ['--cron', '--systemd']) {
      const r = await runPgdr(['schedule', way, '--config', config, '--dry-run']);
      expect(r.code, `${way}: ${r.stdout}`).not.toBe(0);
      expect(r.stdout).not.toContain('99 99');
      expect(r.stderr).toContain('schedules.full');
      expect(r.stderr).toContain('minute "99"');
    }
    const doctor = await runPgdr(['doctor', '--config', config, '--no-notify']);
    expect(doctor.code).toBe(2);
    expect(doctor.stdout + doctor.stderr).toContain('minute "99"');
  });
});

describe('files pgdr creates outside a repository', () => {
  it('writes doctor --prometheus through no planted link, at the file or beside it', async () => {
    const dir = temp('prom');
    const outside = temp('prom-victim');
    writeFileSync(join(outside, 'target'), 'precious');
    const file = join(dir, 'pgdr.prom');
    symlinkSync(join(outside, 'target'), file);
    const victim = snapshotTree(outside);
    const r = await runPgdr(
      ['doctor', '--repo', repo, '--db', cluster.urlFor('app'), '--prometheus', file, '--no-notify'],
      {
        // The temp name pgdr used to write, planted the moment the process exists (long before it writes).
        onSpawn: (pid) => symlinkSync(join(outside, 'target'), `${file}.${pid}.tmp`),
      },
    );
    expect(snapshotTree(outside)).toEqual(victim);
    expect([0, 1, 2]).toContain(r.code);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('pgdr_doctor_status');
  });
});

describe('passwords on the command line', () => {
  it('warns once when a password is in argv, and takes it from --password-file instead', async () => {
    const port = cluster.target('app').port!;
    const withPassword = await restore(['--db', cluster.urlFor('app'), '--dry-run']);
    expect(withPassword.code, withPassword.stderr).toBe(0);
    expect(withPassword.stderr.match(/a password is on pgdr's command line/g)).toHaveLength(1);
    expect(withPassword.stderr).not.toContain(cluster.password);

    const file = join(temp('pw'), 'password');
    writeFileSync(file, `${cluster.password}\n`, { mode: 0o600 });
    const url = `postgres://postgres@127.0.0.1:${port}/app`;
    const fromFile = await restore(['--db', url, '--password-file', file, '--dry-run'], {
      PGPASSWORD: undefined,
      PGPASSFILE: '/nonexistent',
    });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stderr).not.toContain('password is on');
    expect(fromFile.stdout).toContain(`Dry run: restore ${id}`);

    const prompt = await restore(['--db', url, '--password', '--dry-run']);
    expect(prompt.code).toBe(2);
    expect(prompt.stderr).toContain('--password asks on a terminal, and there is none');

    const badUrl = await restore(['--db', 'mysql://x', '--dry-run']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('postgres://user@host:5432/dbname');
    expect(badUrl.stderr).not.toContain('user:password');
  });
});
