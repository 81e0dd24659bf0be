import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, createDatabase } from './helpers/cluster.js';
import type { LocalCluster } from '../src/sandbox/local-cluster.js';
import { openRepository } from '../src/storage/index.js';
import { takeBackup } from '../src/backup/index.js';
import { quietContext, type Logger } from '../src/core/context.js';
import { loadConfig } from '../src/config/load.js';
import { reportedOperation } from '../src/notify/reported-operation.js';
import { runDoctor } from '../src/doctor/run-doctor.js';

let cluster: LocalCluster;
let server: Server;
const received: { type: string; title: string; details: Record<string, string> }[] = [];

beforeAll(async () => {
  cluster = await useCluster();
  await createDatabase(cluster, 'app');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('a scheduled backup that fails', () => {
  it('sends a notification and makes pgdr doctor exit 2, though an older backup is fresh', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pgdr-failed-backup-'));
    writeFileSync(
      join(work, 'pgdr.config.yaml'),
      [
        'targets:',
        '  prod:',
        '    urlEnv: APP_DB_URL',
        '    role: production',
        'repository:',
        `  url: ${join(work, 'repo')}`,
        'notifications:',
        '  webhook:',
        '    urlEnv: HOOK_URL',
        '  on: [backup.failed, backup.succeeded]',
        '',
      ].join('\n'),
    );
    chmodSync(join(work, 'pgdr.config.yaml'), 0o600);
    const env = {
      APP_DB_URL: cluster.urlFor('app'),
      PGDR_HOME: join(work, 'home'),
      HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      PGDR_CONFIG: '',
    };
    const { config } = await loadConfig({ cwd: work, env });
    const warnings: string[] = [];
    const log: Logger = { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
    const repo = openRepository(join(work, 'repo'));
    const run = (db: string) =>
      reportedOperation(
        {
          command: 'backup',
          target: cluster.target(db).display,
          title: `Backup of ${db}`,
          failedEvent: 'backup.failed',
          succeededEvent: 'backup.succeeded',
          config,
          log,
          env,
        },
        async (note) => {
          const result = await takeBackup({ target: cluster.target(db), repo }, quietContext());
          note.backupId = result.id;
          return result;
        },
      );

    const good = await run('app');
    expect(received.at(-1)).toMatchObject({ type: 'backup.succeeded', details: { backup: good.id } });
    expect((await runDoctor({ cwd: work, env })).findings.filter((f) => f.severity === 'critical')).toEqual([]);

    await cluster.stop({ mode: 'fast' });
    try {
      await expect(run('app')).rejects.toThrow(/Could not connect/);
    } finally {
      await cluster.start();
    }
    const alert = received.at(-1)!;
    expect(alert).toMatchObject({
      type: 'backup.failed',
      severity: 'critical',
      title: expect.stringContaining('Backup of app failed'),
    });
    expect(alert.details.error).toMatch(/Could not connect/);
    expect(JSON.stringify(alert)).not.toContain(cluster.password);
    expect(warnings).toEqual([]);

    const report = await runDoctor({ cwd: work, env });
    expect(report.exitCode).toBe(2);
    expect(report.findings.find((f) => f.check === 'backup.failed')).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/the last backup attempt .* failed: Could not connect/),
    });
  });
});
