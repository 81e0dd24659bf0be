import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, psql, createDatabase } from './helpers/cluster.js';
import { runPgdr } from './helpers/cli.js';
import type { LocalCluster } from '../src/sandbox/local-cluster.js';
import { openRepository } from '../src/storage/index.js';
import { takeBackup } from '../src/backup/index.js';
import { generateIdentity } from '../src/crypto/index.js';
import { quietContext } from '../src/core/context.js';
import { appendAudit } from '../src/audit/audit-log.js';
import { runDoctor } from '../src/doctor/run-doctor.js';
import { renderPrometheus } from '../src/doctor/prometheus.js';
import type { DoctorReport } from '../src/doctor/finding.js';

let cluster: LocalCluster;
let work: string;
let env: Record<string, string>;
const key = generateIdentity();
const hooks: unknown[] = [];
let hookServer: Server;

const find = (r: DoctorReport, check: string) => r.findings.filter((f) => f.check === check);

beforeAll(async () => {
  cluster = await useCluster();
  await createDatabase(cluster, 'app');
  await psql(
    cluster,
    'app',
    `create table t (id int primary key, payload text); insert into t select g, repeat('x', 200) from generate_series(1, 2000) g;`,
  );
  work = mkdtempSync(join(tmpdir(), 'pgdr-doctor-'));
  // An empty repository, as pgdr init leaves one: doctor says a missing directory does not exist.
  mkdirSync(join(work, 'repo'));
  writeFileSync(join(work, 'key.txt'), key.identity + '\n', { mode: 0o600 });
  hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  writeFileSync(
    join(work, 'pgdr.config.yaml'),
    [
      'targets:',
      '  prod:',
      '    urlEnv: APP_DB_URL',
      '    role: production',
      '  drills:',
      '    urlEnv: SCRATCH_URL',
      '    role: scratch',
      'repository:',
      `  url: ${join(work, 'repo')}`,
      'encryption:',
      `  recipients: [${key.recipient}]`,
      `  identityFile: ${join(work, 'key.txt')}`,
      'notifications:',
      '  webhook:',
      '    urlEnv: HOOK_URL',
      '  on: [doctor.critical]',
      '',
    ].join('\n'),
  );
  chmodSync(join(work, 'pgdr.config.yaml'), 0o600);
  env = {
    APP_DB_URL: cluster.urlFor('app'),
    SCRATCH_URL: cluster.urlFor('postgres'),
    PGDR_HOME: join(work, 'home'),
    HOOK_URL: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`,
    PGDR_CONFIG: '',
  };
});

afterAll(async () => {
  await new Promise((r) => hookServer.close(r));
});

const doctor = (extra: { now?: Date } = {}) => runDoctor({ cwd: work, env, ...extra });
const backup = () =>
  takeBackup(
    {
      target: cluster.target('app'),
      repo: openRepository(join(work, 'repo')),
      encryption: { recipients: [key.recipient] },
    },
    quietContext(),
  );

describe('pgdr doctor', () => {
  it('with no backup yet: critical, notifies, and says to take one (CLI, exit 2, prometheus file)', async () => {
    const prom = join(work, 'pgdr.prom');
    const result = await runPgdr(['doctor', '--prometheus', prom], { cwd: work, env });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /✖ database app: no complete full backup in the repository\n\s+→ Take one now with pgdr backup/,
    );
    expect(result.stdout).toMatch(
      /✔ prod \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/app\): reachable, PostgreSQL/,
    );
    expect(result.stdout).toMatch(/✔ .*repo: reachable and writable/);
    expect(readFileSync(prom, 'utf8')).toMatch(/^pgdr_doctor_status 2$/m);
    expect(readFileSync(prom, 'utf8')).toMatch(/^pgdr_target_up\{target="prod"\} 1$/m);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ type: 'doctor.critical', severity: 'critical' });
    expect(JSON.stringify(hooks[0])).not.toContain(cluster.password);
  });

  it('after a backup: ok on age and keys, a warning for the missing verification; critical once too old', async () => {
    await backup();
    const report = await doctor();
    expect(find(report, 'backup.age')).toEqual([expect.objectContaining({ severity: 'ok', subject: 'database app' })]);
    expect(find(report, 'target.reachable').map((f) => f.subject?.split(' ')[0])).toEqual(['prod', 'drills']);
    expect(find(report, 'encryption.identity')[0]).toMatchObject({
      severity: 'ok',
      message: expect.stringMatching(/opens the newest backup/),
    });
    expect(find(report, 'verify.age')[0]).toMatchObject({
      severity: 'warning',
      action: expect.stringMatching(/--restore-test/),
    });
    expect(find(report, 'notify.configured')[0]).toMatchObject({ severity: 'ok', subject: 'webhook' });
    expect(report.exitCode).toBe(1);
    const silent = await runDoctor({ cwd: work, env: { ...env, HOOK_URL: '' } });
    expect(find(silent, 'notify.configured')[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/HOOK_URL is not set/),
    });
    expect(renderPrometheus(report)).toMatch(/^pgdr_backup_last_success_timestamp_seconds\{database="app"\} \d+$/m);

    const later = await doctor({ now: new Date(Date.now() + 30 * 3_600_000) });
    expect(find(later, 'backup.age')[0]).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/over the 24 h limit/),
    });
    expect(later.exitCode).toBe(2);
  });

  it('a size jump over 20% is a warning; a failed backup attempt after the newest good one is critical', async () => {
    await psql(
      cluster,
      'app',
      `insert into t select g, md5(g::text) || repeat(md5((g * 7)::text), 6) from generate_series(2001, 12000) g;`,
    );
    // Backup ids have one-second resolution; two backups in the same second would share one.
    await new Promise((r) => setTimeout(r, 1100));
    await backup();
    const report = await doctor();
    expect(find(report, 'backup.size')[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/\+\d+% against the previous backup/),
    });

    await appendAudit(
      {
        command: 'backup',
        target: cluster.target('app').display,
        result: 'failed',
        durationMs: 10,
        details: { error: 'pg_dump exited with code 1' },
      },
      env,
    );
    const failed = await doctor();
    expect(find(failed, 'backup.failed')[0]).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/failed: pg_dump exited with code 1/),
    });
    expect(failed.exitCode).toBe(2);
  });

  it('an identity that does not match the backups is critical', async () => {
    const other = generateIdentity();
    writeFileSync(join(work, 'key.txt'), other.identity + '\n', { mode: 0o600 });
    try {
      const report = await doctor();
      expect(find(report, 'encryption.identity')[0]).toMatchObject({
        severity: 'critical',
        message: expect.stringMatching(/not among the recipients/),
      });
    } finally {
      writeFileSync(join(work, 'key.txt'), key.identity + '\n', { mode: 0o600 });
    }
  });

  it('an unreachable target and an invalid config are findings, not crashes', async () => {
    const report = await runDoctor({ cwd: work, env: { ...env, APP_DB_URL: 'postgres://nobody@127.0.0.1:1/app' } });
    expect(find(report, 'target.reachable')[0]).toMatchObject({
      severity: 'critical',
      action: expect.stringMatching(/Nothing is listening/),
    });
    const bad = mkdtempSync(join(tmpdir(), 'pgdr-doctor-bad-'));
    writeFileSync(join(bad, 'pgdr.config.yaml'), 'repository:\n  url: /x\nthresholds:\n  maxBackupAgeHours: soon\n', {
      mode: 0o600,
    });
    const invalid = await runDoctor({ cwd: bad, env: { PGDR_HOME: join(bad, 'home') } });
    expect(find(invalid, 'config.valid')[0]).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/:4:\d+: thresholds\.maxBackupAgeHours/),
    });
  });
});
