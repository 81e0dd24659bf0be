import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake Management API does after a restore-pitr POST. */
export type RestoreScript = { status: string; polls: number }[];

export interface FakeSupabaseOptions {
  ref: string;
  token: string;
  pitrEnabled?: boolean;
  /** Unix seconds. */
  earliest: number;
  latest: number;
  /** Statuses GET /v1/projects/{ref} returns after the POST, each for `polls` requests; the last one sticks. */
  afterRestore?: RestoreScript;
  /** The first N requests to database/backups answer 429 with this Retry-After. */
  rateLimit?: { times: number; retryAfter: string };
  /** The first N requests to GET /v1/projects/{ref} answer 503. */
  unavailable?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorized: boolean;
  at: number;
}

export interface FakeSupabaseApi {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server following the Supabase Management API contract pgdr uses (backups, restore-pitr, project, health): the sandbox drill's and the tests' stand-in for api.supabase.com. */
export async function startSupabaseApi(options: FakeSupabaseOptions): Promise<FakeSupabaseApi> {
  const requests: RecordedRequest[] = [];
  let rateLimited = 0;
  let unavailable = 0;
  let script: RestoreScript | undefined;
  let status = 'ACTIVE_HEALTHY';

  const projectStatus = (): string => {
    const step = script?.[0];
    if (!step) return status;
    status = step.status;
    if (--step.polls <= 0 && script!.length > 1) script!.shift();
    return status;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const authorized = req.headers.authorization === `Bearer ${options.token}`;
    requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      body: text ? JSON.parse(text) : undefined,
      authorized,
      at: Date.now(),
    });
    const send = (code: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (!authorized) return send(401, { message: 'Unauthorized' });
    const match = /^\/v1\/projects\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return send(404, { message: 'Not found' });
    if (match[1] !== options.ref) return send(404, { message: 'Project not found' });
    const rest = match[2] ?? '';

    if (req.method === 'GET' && rest === '/database/backups') {
      if (options.rateLimit && rateLimited < options.rateLimit.times) {
        rateLimited++;
        return send(429, { message: 'Too many requests' }, { 'retry-after': options.rateLimit.retryAfter });
      }
      return send(200, {
        region: 'eu-central-1',
        pitr_enabled: options.pitrEnabled ?? true,
        walg_enabled: true,
        backups: [
          {
            is_physical_backup: true,
            status: 'COMPLETED',
            inserted_at: new Date((options.earliest + 60) * 1000).toISOString(),
          },
          {
            is_physical_backup: true,
            status: 'COMPLETED',
            inserted_at: new Date((options.latest - 60) * 1000).toISOString(),
          },
        ],
        physical_backup_data: {
          earliest_physical_backup_date_unix: options.earliest,
          latest_physical_backup_date_unix: options.latest,
        },
      });
    }
    if (req.method === 'POST' && rest === '/database/backups/restore-pitr') {
      const target = (JSON.parse(text || '{}') as { recovery_time_target_unix?: unknown }).recovery_time_target_unix;
      if (typeof target !== 'number' || !Number.isInteger(target))
        return send(400, { message: 'recovery_time_target_unix must be an integer' });
      if (target < options.earliest || target > options.latest)
        return send(400, { message: 'Target is outside the PITR window' });
      script = structuredClone(options.afterRestore ?? [{ status: 'ACTIVE_HEALTHY', polls: 1 }]);
      return send(201);
    }
    if (req.method === 'GET' && rest === '') {
      if (options.unavailable && unavailable < options.unavailable) {
        unavailable++;
        return send(503, { message: 'Service unavailable' });
      }
      return send(200, {
        id: options.ref,
        ref: options.ref,
        name: 'fake',
        region: 'eu-central-1',
        status: projectStatus(),
      });
    }
    if (req.method === 'GET' && rest === '/health') {
      const healthy = status === 'ACTIVE_HEALTHY';
      return send(
        200,
        url.searchParams
          .getAll('services')
          .flatMap((s) => s.split(','))
          .map((name) => ({ name, healthy, status: healthy ? 'ACTIVE_HEALTHY' : 'UNHEALTHY' })),
      );
    }
    return send(404, { message: 'Not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
