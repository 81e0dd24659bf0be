import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql } from './helpers/cluster.js';
import { freePort, type LocalCluster } from '../src/sandbox/local-cluster.js';
import { handToServerUser, asServerUser } from '../src/pg/server-user.js';
import { runProcess } from '../src/core/system.js';
import {
  pitrSetup,
  pgbackrestBackup,
  pgbackrestInfo,
  pitrRestore,
  TargetOutsideWindow,
  DataDirNotEmpty,
  type PgbackrestInfo,
  type PitrRestoreResult,
} from '../src/restore/pitr/index.js';
import { serverSql } from '../src/restore/pitr/server-sql.js';
import { archiveSettings, stanzaSetup } from './helpers/pgbackrest.js';
import { runPgdr } from './helpers/cli.js';

const stanza = 'pitrtest';
const base = mkdtempSync(join(tmpdir(), 'pgdr-pitr-'));
handToServerUser(base);
const configPath = join(base, 'pgbackrest.conf');
const source = { stanza, configPath };
const restored: string[] = [];

let cluster: LocalCluster;
let noted: Date;

beforeAll(async () => {
  cluster = await useCluster({
    settings: archiveSettings(stanza, configPath),
  });
});

afterAll(async () => {
  const pgCtl = join(cluster.binDir, 'pg_ctl');
  for (const dir of restored) {
    const [cmd, args] = asServerUser(pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    await runProcess(cmd, args).catch(() => {});
  }
  rmSync(base, { recursive: true, force: true });
});

async function waitForWindowPast(time: Date): Promise<PgbackrestInfo> {
  for (let i = 0; i < 40; i++) {
    const info = await pgbackrestInfo(source);
    if (info.window?.latest && info.window.latest > time) return info;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the archive never caught up');
}

describe('point-in-time recovery through pgBackRest', () => {
  it('sets up the stanza and archiving, every check passing', async () => {
    const result = await pitrSetup(stanzaSetup(cluster, stanza, base), { write: true });
    expect(
      result.checks.map((c) => [c.name, c.ok]),
      JSON.stringify(result.checks),
    ).toEqual([
      ['pgbackrest.conf', true],
      ['repository directory', true],
      ['server settings', true],
      ['restart not pending', true],
      ['stanza-create', true],
      ['pgbackrest check', true],
    ]);
    await pgbackrestBackup(source, { type: 'full' });
  });

  it('restores into a new data directory the rows deleted after the noted time', async () => {
    // The window opens a second after the backup ends (pgBackRest records whole seconds).
    await new Promise((r) => setTimeout(r, 1500));
    await psql(
      cluster,
      'postgres',
      "create table orders (id int primary key, item text); insert into orders values (1, 'a'), (2, 'b'), (3, 'c');",
    );
    await new Promise((r) => setTimeout(r, 100));
    noted = new Date();
    await new Promise((r) => setTimeout(r, 1000));
    await psql(cluster, 'postgres', 'delete from orders;');
    await psql(cluster, 'postgres', 'select pg_switch_wal();');
    const info = await waitForWindowPast(noted);
    expect(info.window!.earliest < noted).toBe(true);

    const dataDir = join(base, 'restored');
    const port = await freePort();
    restored.push(dataDir);
    const result: PitrRestoreResult = await pitrRestore({ stanza, configPath, target: noted, dataDir, port });
    expect(result.port).toBe(port);
    expect(result.recoveredTo.getTime()).toBeLessThanOrEqual(noted.getTime());
    expect(result.stoppedBefore!.getTime()).toBeGreaterThan(noted.getTime());
    const rows = await serverSql({ port, socketDir: dataDir }, "select string_agg(item, ',' order by id) from orders");
    expect(rows).toBe('a,b,c');
    expect(await serverSql({ port, socketDir: dataDir }, 'select pg_is_in_recovery()')).toBe('f');
    expect(await serverSql({ port, socketDir: dataDir }, 'show archive_mode')).toBe('off');
    expect(await psql(cluster, 'postgres', 'select count(*) from orders')).toBe('0\n');
  });

  it('pgdr restore --pitr latest: the newest backup and every archived transaction, the fast physical path', async () => {
    await psql(
      cluster,
      'postgres',
      'create table latest_check (id int); insert into latest_check select generate_series(1, 500);',
    );
    const inserted = new Date();
    await psql(cluster, 'postgres', 'select pg_switch_wal();');
    await waitForWindowPast(new Date(inserted.getTime() - 1000));
    const dataDir = join(base, 'latest');
    const port = String(await freePort());
    restored.push(dataDir);
    const common = [
      '--pitr',
      'latest',
      '--pgbackrest-stanza',
      stanza,
      '--pgbackrest-config',
      configPath,
      '--data-dir',
      dataDir,
      '--port',
      port,
    ];
    const dry = await runPgdr(['restore', ...common, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('--type=default');
    expect(dry.stdout).toContain('replay all archived WAL');
    expect(existsSync(dataDir)).toBe(false);
    const r = await runPgdr(['restore', ...common, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { recoveredTo: string; port: number };
    expect(result.port).toBe(Number(port));
    expect(await serverSql({ port: Number(port), socketDir: dataDir }, 'select count(*) from latest_check')).toBe(
      '500',
    );
    expect(await serverSql({ port: Number(port), socketDir: dataDir }, 'select pg_is_in_recovery()')).toBe('f');
    const supabase = await runPgdr(['restore', '--pitr', 'latest', '--supabase-project', 'abcdefghijklmnopqrst']);
    expect(supabase.code).toBe(2);
    expect(supabase.stderr).toContain('--pitr latest is for pgBackRest');
  });

  it('pgdr pitr restore: Ctrl-C once the restored server has started stops it, exits 130 and is audited', async () => {
    const dataDir = join(base, 'interrupted');
    const home = mkdtempSync(join(tmpdir(), 'pgdr-home-'));
    restored.push(dataDir);
    const port = String(await freePort());
    let pid = 0;
    const running = runPgdr(
      [
        ...['pitr', 'restore', '--to', 'latest', '--pgbackrest-stanza', stanza, '--pgbackrest-config', configPath],
        ...['--data-dir', dataDir, '--port', port],
      ],
      { env: { PGDR_HOME: home }, onSpawn: (p) => (pid = p) },
    );
    // The real event: pg_ctl has started the restored cluster (its postmaster.pid is there).
    for (let i = 0; i < 2400 && !existsSync(join(dataDir, 'postmaster.pid')); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);
    process.kill(pid, 'SIGINT');
    const r = await running;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('the restored server was stopped');
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    const audit = readFileSync(join(home, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toMatchObject([{ command: 'pitr restore', result: 'aborted', target: `pgbackrest:${stanza}` }]);
  });

  it('refuses, before touching anything, a target outside the window or a used directory', async () => {
    const info = await pgbackrestInfo(source);
    const dataDir = join(base, 'never');
    const port = await freePort();
    const before = new Date(info.window!.earliest.getTime() - 60_000);
    await expect(pitrRestore({ stanza, configPath, target: before, dataDir, port })).rejects.toThrow(
      TargetOutsideWindow,
    );
    await expect(pitrRestore({ stanza, configPath, target: before, dataDir, port })).rejects.toThrow(
      /before the recoverable window/,
    );
    const future = new Date(Date.now() + 3_600_000);
    await expect(pitrRestore({ stanza, configPath, target: future, dataDir, port })).rejects.toThrow(
      /after the recoverable window/,
    );
    expect(existsSync(dataDir)).toBe(false);
    await expect(pitrRestore({ stanza, configPath, target: noted, dataDir: cluster.dataDir, port })).rejects.toThrow(
      DataDirNotEmpty,
    );
  });

  it('pgdr pitr restore --dry-run names the backup and the command, and creates nothing', async () => {
    const dataDir = join(base, 'dry');
    const port = String(await freePort());
    const common = [
      '--pgbackrest-stanza',
      stanza,
      '--pgbackrest-config',
      configPath,
      '--data-dir',
      dataDir,
      '--port',
      port,
    ];
    const dry = await runPgdr(['pitr', 'restore', '--to', noted.toISOString(), ...common, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/restore backup \d{8}-\d{6}F/);
    expect(dry.stdout).toContain('--type=time --target=');
    expect(dry.stdout).toContain('--target-action=promote');
    const ambiguous = await runPgdr(['pitr', 'restore', '--to', '2025-01-10 14:00:00', ...common]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('no time zone');
    expect(existsSync(dataDir)).toBe(false);
  });
});
