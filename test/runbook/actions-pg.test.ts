import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCluster, psql, createDatabase } from '../helpers/cluster.js';
import { connect } from '../../src/pg/client.js';
import { createRun } from '../../src/runbook/engine.js';
import { writeRunReports } from '../../src/report/write.js';
import { loadRunbookText } from '../../src/runbook/loader.js';
import { scripted, tempDir, testActions } from './helpers.js';

const cluster = await useCluster();
await createDatabase(cluster, 'app');
await psql(
  cluster,
  'app',
  `create table orders(id int primary key); insert into orders select generate_series(1, 50);
   create table "Old.Orders"(id int); insert into "Old.Orders" select generate_series(1, 2);
   create table old_child() inherits ("Old.Orders"); insert into old_child select generate_series(3, 500);`,
);

function targets() {
  return {
    primary: { name: 'primary', target: cluster.target('app'), production: true },
    restored: { name: 'restored', target: cluster.target('app'), production: false },
  };
}

async function run(
  body: string,
  options: { abortAt?: string; mode?: 'drill' | 'incident'; answers?: Record<string, boolean | string> } = {},
) {
  const actions = testActions();
  const rb = loadRunbookText(
    `id: pg\ntitle: PG\nseverity: low\nrto: 10m\nrpo: 1h\nphases:\n  - id: p\n    title: P\n    steps:\n${body}`,
    'pg.yaml',
    actions,
  );
  const handle = createRun({
    writeReports: writeRunReports,
    runbook: rb,
    mode: options.mode ?? 'incident',
    prompter: scripted(options.answers),
    runsDir: tempDir(),
    actions,
    targets: targets(),
  });
  handle.subscribe((e) => {
    if (options.abortAt && e.type === 'step.started' && e.stepId === options.abortAt)
      setTimeout(() => handle.requestAbort(), 50);
  });
  const result = await handle.start();
  const finished = Object.fromEntries(
    handle.history().flatMap((e) => (e.type === 'step.finished' ? [[e.stepId, e]] : [])),
  );
  return { result, finished };
}

describe('pg and sql actions against a real cluster', () => {
  it('pings, and sql.check passes and fails as the data says', async () => {
    const { finished } = await run(`      - { id: ping, title: Ping, action: pg.ping, with: { target: restored } }
      - { id: count, title: Count, action: sql.check, with: { target: restored, query: "select count(*) from orders", atLeast: 50 } }
      - { id: eq, title: Equals, action: sql.check, with: { target: restored, query: "select max(id) from orders", equals: 50 } }
      - { id: none, title: No rows, action: sql.check, with: { target: restored, query: "select 1 from orders where id > 50", noRows: true } }
      - { id: manifest, title: Manifest, action: sql.check, continueOnError: true, with: { target: restored, atLeastManifest: { public.orders: 60, public.missing: 1 } } }
      - { id: ro, title: Read only, action: sql.check, continueOnError: true, with: { target: restored, query: "delete from orders returning 1", noRows: true } }
`);
    expect(finished.ping).toMatchObject({ status: 'succeeded', outputs: { version: expect.stringMatching(/^\d+/) } });
    expect(finished.count).toMatchObject({ status: 'succeeded' });
    expect(finished.eq).toMatchObject({ status: 'succeeded' });
    expect(finished.none).toMatchObject({ status: 'succeeded' });
    expect(finished.manifest).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('public.orders 50 < 60'),
    });
    expect(finished.manifest!.type === 'step.finished' && finished.manifest!.error).toContain(
      'public.missing missing < 1',
    );
    expect(finished.ro).toMatchObject({ status: 'failed', error: expect.stringContaining('read-only transaction') });
    expect(await psql(cluster, 'app', 'select count(*) from orders')).toBe('50\n');
  });

  it("sql.check atLeastManifest counts each table of backup.select's list alone, as the backup counted it", async () => {
    const manifest = JSON.stringify([
      { schema: 'public', table: 'orders', rows: 50 },
      { schema: 'public', table: 'Old.Orders', rows: 3 },
      { schema: 'public', table: 'old_child', rows: 498, parents: [{ schema: 'public', table: 'Old.Orders' }] },
    ]);
    const { finished } =
      await run(`      - { id: all, title: All, action: sql.check, continueOnError: true, with: { target: restored, atLeastManifest: ${manifest} } }
      - { id: some, title: Some, action: sql.check, with: { target: restored, atLeastManifest: ${manifest}, tables: [orders, old_child] } }
`);
    // The parent's own two rows are fewer than the three the backup held, whatever its children hold.
    expect(finished.all).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('public."Old.Orders" 2 < 3'),
    });
    expect(finished.some).toMatchObject({ status: 'succeeded' });
  });

  it('blocks connections, terminates sessions, and undoes the block when the run is aborted', async () => {
    const victim = await connect(cluster.target('app'), { applicationName: 'victim' });
    const { result, finished } = await run(
      `      - { id: block, title: Block, action: pg.block-connections, with: { target: restored } }
      - { id: kick, title: Kick, action: pg.terminate-connections, with: { target: restored } }
      - { id: check, title: Blocked, action: sql.check, with: { target: restored, database: postgres, query: "select datallowconn from pg_database where datname = 'app'", equals: false } }
      - { id: hold, title: Hold, action: test.slow, with: { ms: 10000 } }
`,
      { abortAt: 'hold', answers: { undo: true } },
    );
    expect(finished.kick).toMatchObject({ status: 'succeeded', outputs: { terminated: 1 } });
    expect(finished.check).toMatchObject({ status: 'succeeded' });
    expect(result.status).toBe('aborted');
    await expect(victim.query('select 1')).rejects.toThrow();
    await victim.end().catch(() => {});
    expect(
      await psql(cluster, 'postgres', "select datallowconn, datconnlimit from pg_database where datname = 'app'"),
    ).toBe('t|-1\n');
    const report = JSON.parse(readFileSync(join(result.runDir, 'report.json'), 'utf8'));
    expect(report.undo.actions).toEqual([{ stepId: 'block', title: 'Block', status: 'succeeded' }]);
  });

  it('refuses in a drill to block a production target, in preflight, before any step', async () => {
    const { finished, result } = await run(
      `      - { id: block, title: Block, action: pg.block-connections, with: { target: primary } }\n`,
      { mode: 'drill' },
    );
    expect(finished['preflight.targets']).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('a target marked production'),
    });
    expect(finished.block).toBeUndefined();
    expect(result.exitCode).toBe(3);
    expect(await psql(cluster, 'postgres', "select datallowconn from pg_database where datname = 'app'")).toBe('t\n');
  });

  it('switches maintenance mode on and off over HTTP and waits for health', async () => {
    const calls: string[] = [];
    let healthy = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.url === '/health') {
          healthy++;
          res.writeHead(healthy >= 3 ? 200 : 503).end(healthy >= 3 ? 'ok' : 'starting');
          return;
        }
        calls.push(`${req.method} ${req.url} ${body} ${req.headers.authorization ?? ''}`);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { result } = await run(
        `      - id: on
        title: Maintenance on
        action: http.request
        with: { url: "${base}/maintenance", headers: { authorization: "Bearer tok-secret-123" }, body: { enabled: true }, undo: { url: "${base}/maintenance", body: { enabled: false } } }
      - { id: health, title: Health, action: http.check, with: { url: "${base}/health", within: 10s, interval: 50ms, contains: ok } }
      - { id: hold, title: Hold, action: test.slow, with: { ms: 10000 } }
`,
        { abortAt: 'hold', answers: { undo: true } },
      );
      expect(calls).toEqual([
        `POST /maintenance {"enabled":true} Bearer tok-secret-123`,
        `POST /maintenance {"enabled":false} `,
      ]);
      expect(healthy).toBe(3);
      expect(readFileSync(join(result.runDir, 'journal.jsonl'), 'utf8')).not.toContain('tok-secret-123');
    } finally {
      server.close();
    }
  });
});
