import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql } from '../helpers/cluster.js';
import { archiveSettings, stanzaSetup } from '../helpers/pgbackrest.js';
import { runPgdr } from '../helpers/cli.js';
import { freePort, type LocalCluster } from '../../src/sandbox/local-cluster.js';
import { asServerUser, handToServerUser } from '../../src/pg/server-user.js';
import { runProcess } from '../../src/core/system.js';
import { pitrSetup } from '../../src/restore/pitr/index.js';
import { readStanza } from '../../src/backup/physical/index.js';
import { serverSql } from '../../src/restore/pitr/server-sql.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import type { DoctorReport } from '../../src/doctor/finding.js';

const stanza = 'physical';
const base = mkdtempSync(join(tmpdir(), 'pgdr-physical-'));
handToServerUser(base);
const configPath = join(base, 'pgbackrest.conf');
const source = { stanza, configPath };
const restored: string[] = [];
const hooks: { type: string; title: string; details: Record<string, string> }[] = [];
let hookServer: Server;
let cluster: LocalCluster;
let env: Record<string, string>;
let fullLabel: string;
let incrLabel: string;

const flags = ['--pgbackrest-stanza', stanza, '--pgbackrest-config', configPath];
const run = (args: string[]) => runPgdr(args, { cwd: base, env });

beforeAll(async () => {
  cluster = await useCluster({
    settings: archiveSettings(stanza, configPath),
  });
  const setup = await pitrSetup(stanzaSetup(cluster, stanza, base), { write: true });
  expect(setup.ok, JSON.stringify(setup.checks)).toBe(true);
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push(JSON.parse(body) as (typeof hooks)[number]);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  writeFileSync(
    join(base, 'pgdr.config.yaml'),
    ['notifications:', '  webhook:', '    urlEnv: HOOK_URL', '  on: [backup.failed, backup.succeeded]', ''].join('\n'),
  );
  chmodSync(join(base, 'pgdr.config.yaml'), 0o600);
  env = {
    PGDR_HOME: join(base, 'home'),
    PGDR_CONFIG: '',
    HOOK_URL: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
  };
});

afterAll(async () => {
  await new Promise((r) => hookServer.close(r));
  const pgCtl = join(cluster.binDir, 'pg_ctl');
  for (const dir of restored) {
    const [cmd, args] = asServerUser(pgCtl, ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    await runProcess(cmd, args).catch(() => {});
  }
  rmSync(base, { recursive: true, force: true });
});

const audit = () =>
  readFileSync(join(base, 'home', 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { command: string; result: string; target: string; backupId?: string });

/** Waits until pgBackRest holds WAL segment `segment` (or a later one): the rows in it are then archived. */
async function waitForArchived(segment: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    const info = await readStanza(source);
    if (info.archive && info.archive.max >= segment) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`WAL segment ${segment} was never archived`);
}

describe('physical backups through pgBackRest', () => {
  it('pgdr backup full --pgbackrest-stanza takes a physical full, with progress, audit and notification', async () => {
    const r = await run(['backup', 'full', ...flags, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { label: string; type: string; databaseBytes: number; walStart: string };
    expect(result.type).toBe('full');
    expect(result.label).toMatch(/^\d{8}-\d{6}F$/);
    expect(result.databaseBytes).toBeGreaterThan(1_000_000);
    expect(result.walStart).toMatch(/^[0-9A-F]{24}$/);
    expect(r.stderr).toMatch(/^backup\s+[\d.]+ [KMG]iB\s+\d+%/m);
    fullLabel = result.label;
    expect(audit().at(-1)).toMatchObject({
      command: 'backup',
      result: 'ok',
      target: `pgbackrest:${stanza}`,
      backupId: fullLabel,
    });
    expect(hooks.at(-1)).toMatchObject({ type: 'backup.succeeded', details: { backup: fullLabel } });
  });

  it('writes rows, takes an incremental on top of the full, and lists both sets beside the logical backups', async () => {
    await psql(
      cluster,
      'postgres',
      'create table orders (id int primary key, item text); insert into orders select g, md5(g::text) from generate_series(1, 5000) g;',
    );
    // Backup labels have one-second resolution.
    await new Promise((r) => setTimeout(r, 1100));
    const r = await run(['backup', 'incremental', ...flags, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const incr = JSON.parse(r.stdout) as { label: string; type: string; prior: string; deltaBytes: number };
    expect(incr).toMatchObject({ type: 'incr', prior: fullLabel });
    expect(incr.label).toMatch(new RegExp(`^${fullLabel}_\\d{8}-\\d{6}I$`));
    incrLabel = incr.label;

    const list = await run(['backups', 'list', ...flags]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(`Physical backups (pgBackRest stanza ${stanza}, ok)`);
    expect(list.stdout).toMatch(new RegExp(`^${fullLabel}\\s+full\\s+-\\s`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${incrLabel}\\s+incr\\s+${fullLabel}\\s`, 'm'));
    expect(list.stdout).toMatch(/WAL archived [0-9A-F]{24} … [0-9A-F]{24}/);
    const json = JSON.parse((await run(['backups', 'list', ...flags, '--json'])).stdout) as {
      id: string;
      kind: string;
      type: string;
    }[];
    expect(json.map((b) => [b.id, b.kind, b.type])).toEqual([
      [fullLabel, 'physical', 'full'],
      [incrLabel, 'physical', 'incr'],
    ]);
  });

  it('doctor: the newest incremental against the 6-hour rhythm, and pg_stat_archiver (a failure after the last success is critical)', async () => {
    const dir = join(base, 'doctor');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'pgdr.config.yaml'),
      [
        'targets:',
        '  prod:',
        '    urlEnv: PROD_URL',
        '    role: production',
        `repository:\n  url: ${join(dir, 'repo')}`,
        `pgbackrest:\n  stanza: ${stanza}\n  configPath: ${configPath}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const doctorEnv = { ...env, PROD_URL: cluster.urlFor('postgres') };
    const find = (r: DoctorReport, check: string) => r.findings.filter((f) => f.check === check);
    const report = await runDoctor({ cwd: dir, env: doctorEnv });
    expect(find(report, 'physical.age')).toEqual([
      expect.objectContaining({ severity: 'ok', message: expect.stringContaining(`${incrLabel} (incr)`) }),
    ]);
    expect(find(report, 'wal.archiving')).toEqual([
      expect.objectContaining({
        severity: 'ok',
        message: expect.stringMatching(/last WAL segment archived [0-9A-F]{24}/),
      }),
    ]);
    expect(find(report, 'physical.failed')).toEqual([]);
    const later = await runDoctor({ cwd: dir, env: doctorEnv, now: new Date(Date.now() + 9 * 3_600_000) });
    expect(find(later, 'physical.age')[0]).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/over the 8 h limit/),
    });

    const archiveCommand = (await psql(cluster, 'postgres', 'show archive_command')).trim();
    await psql(cluster, 'postgres', "alter system set archive_command = 'false'; select pg_reload_conf();");
    try {
      const failedBefore = Number(await psql(cluster, 'postgres', 'select failed_count from pg_stat_archiver'));
      await psql(cluster, 'postgres', 'create table wal_breaker (id int); select pg_switch_wal();');
      for (let i = 0; i < 80; i++) {
        if (Number(await psql(cluster, 'postgres', 'select failed_count from pg_stat_archiver')) > failedBefore) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const broken = await runDoctor({ cwd: dir, env: doctorEnv });
      expect(find(broken, 'wal.archiving')[0]).toMatchObject({
        severity: 'critical',
        message: expect.stringMatching(/WAL archiving is failing: segment [0-9A-F]{24} failed at/),
      });
      expect(broken.exitCode).toBe(2);
    } finally {
      await psql(
        cluster,
        'postgres',
        `alter system set archive_command = '${archiveCommand.replace(/'/g, "''")}'; select pg_reload_conf();`,
      );
    }
  });

  it('the cluster is lost: pgdr restores the incremental set and the archived WAL after it, every row', async () => {
    await psql(cluster, 'postgres', "insert into orders select g, 'after' from generate_series(5001, 6000) g;");
    const segment = (await psql(cluster, 'postgres', 'select pg_walfile_name(pg_switch_wal());')).trim();
    await waitForArchived(segment);
    await cluster.stop({ mode: 'immediate' });
    rmSync(cluster.dataDir, { recursive: true, force: true });

    const dataDir = join(base, 'restored');
    const port = String(await freePort());
    restored.push(dataDir);
    const common = ['--pitr', 'latest', ...flags, '--data-dir', dataDir, '--port', port];
    const dry = await run(['restore', ...common, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`restore backup ${incrLabel} (incr on top of ${fullLabel},`);
    expect(existsSync(dataDir)).toBe(false);
    const r = await run(['restore', ...common, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ backup: incrLabel, port: Number(port) });
    const at = { port: Number(port), socketDir: dataDir };
    expect(await serverSql(at, 'select count(*) from orders')).toBe('6000');
    expect(await serverSql(at, "select count(*) from orders where item = 'after'")).toBe('1000');
    expect(await serverSql(at, 'select pg_is_in_recovery()')).toBe('f');
    const byLabel = await run(['restore', incrLabel, '--repo', join(base, 'nothing-here')]);
    expect(byLabel.code).toBe(2);
    expect(byLabel.stderr).toContain('pgdr restore --pitr latest --pgbackrest-stanza S');
  });

  it('a failed physical backup is audited and notified; one without a stanza is refused as bad input', async () => {
    const none = await run(['backup', 'incremental']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs a stanza');
    const odd = await run(['backup', 'incremental', '--pgbackrest-stanza', 'main --config=/tmp/elsewhere']);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain('is not a pgBackRest stanza name');
    const r = await run(['backup', 'incremental', '--pgbackrest-stanza', 'nosuch', '--pgbackrest-config', configPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*stanza "nosuch"/);
    expect(audit().at(-1)).toMatchObject({ command: 'backup', result: 'failed', target: 'pgbackrest:nosuch' });
    expect(hooks.at(-1)).toMatchObject({ type: 'backup.failed' });
  });
});
