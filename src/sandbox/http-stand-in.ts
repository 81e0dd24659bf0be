import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withClient } from '../pg/client.js';
import type { DbTarget } from '../pg/connection.js';

/** What the sandbox application saw: maintenance switched on and off, health checks answered. */
export interface StandInRecord {
  at: number;
  what: 'maintenance on' | 'maintenance off' | 'health ok' | 'health down';
}

export interface AppStandIn {
  maintenanceUrl: string;
  healthUrl: string;
  records: StandInRecord[];
  /** The database /health connects to (the restored one). */
  checkDatabase(target: DbTarget): void;
  close(): Promise<void>;
}

/**
 * The application a drill switches into maintenance mode and health-checks, on 127.0.0.1: POST /maintenance
 * {enabled}; GET /health answers 503 in maintenance or when the database does not answer, else 200 "ok".
 */
export async function startAppStandIn(): Promise<AppStandIn> {
  const records: StandInRecord[] = [];
  let maintenance = false;
  let database: DbTarget | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const reply = (status: number, body: string) => {
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(body);
        };
        if (req.method === 'POST' && req.url === '/maintenance') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { enabled?: boolean };
          maintenance = body.enabled === true;
          records.push({ at: Date.now(), what: maintenance ? 'maintenance on' : 'maintenance off' });
          return reply(200, maintenance ? 'maintenance on' : 'maintenance off');
        }
        if (req.method === 'GET' && req.url === '/health') {
          const up =
            !maintenance &&
            (!database ||
              (await withClient(database, (c) => c.query('select 1')).then(
                () => true,
                () => false,
              )));
          records.push({ at: Date.now(), what: up ? 'health ok' : 'health down' });
          return reply(up ? 200 : 503, up ? 'ok' : maintenance ? 'maintenance' : 'database down');
        }
        reply(404, 'not found');
      })().catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    maintenanceUrl: `${base}/maintenance`,
    healthUrl: `${base}/health`,
    records,
    checkDatabase: (target) => (database = target),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
