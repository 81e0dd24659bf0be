import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCluster, createDatabase } from '../helpers/cluster.js';
import { runPgdr } from '../helpers/cli.js';
import type { LocalCluster } from '../../src/sandbox/local-cluster.js';

let cluster: LocalCluster;
let server: Server;
const received: { type?: string; title?: string; text?: string }[] = [];

describe('backup, verify and prune from the command line are audited, and failures notify', () => {
  beforeAll(async () => {
    cluster = await useCluster();
    await createDatabase(cluster, 'app');
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => new Promise((r) => server.close(r)));

  it('records each operation in the audit log and sends backup.failed with no secret in it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pgdr-audit-'));
    writeFileSync(
      join(work, 'pgdr.config.yaml'),
      `repository:\n  url: ${join(work, 'repo')}\nnotifications:\n  webhook:\n    urlEnv: HOOK_URL\n  on: [backup.failed, verify.failed]\n`,
      { mode: 0o600 },
    );
    const env = {
      PGDR_HOME: join(work, 'home'),
      HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    };
    const ok = await runPgdr(['backup', '--db', cluster.urlFor('app'), '--json'], { cwd: work, env });
    expect(ok.code, ok.stderr).toBe(0);
    const { id } = JSON.parse(ok.stdout);
    const failed = await runPgdr(['backup', '--db', `postgres://postgres:${cluster.password}@127.0.0.1:1/app`], {
      cwd: work,
      env,
    });
    expect(failed.code).not.toBe(0);
    expect((await runPgdr(['backup', 'verify', 'latest'], { cwd: work, env })).code).toBe(0);
    expect((await runPgdr(['prune', '--dry-run'], { cwd: work, env })).code).toBe(0);

    const audit = await runPgdr(['audit', '--json'], { cwd: work, env });
    expect(audit.code, audit.stderr).toBe(0);
    const entries = JSON.parse(audit.stdout) as {
      command: string;
      result: string;
      backupId?: string;
      target?: string;
    }[];
    expect(entries.map((e) => `${e.command}:${e.result}`)).toEqual([
      'backup:ok',
      'backup:failed',
      'verify:ok',
      'prune --dry-run:ok',
    ]);
    expect(entries[0]!.backupId).toBe(id);
    expect(audit.stdout).not.toContain(cluster.password);
    expect(received).toHaveLength(1);
    expect(JSON.stringify(received[0])).toContain('backup.failed');
    expect(JSON.stringify(received[0])).not.toContain(cluster.password);
  });
});
