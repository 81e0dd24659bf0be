import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { startS3, type S3Emulator } from './s3.js';
import {
  ARCHIVED,
  hasChecksum,
  headObjectHeaders,
  xmlError,
  type ObjectState,
  type RecordedRequest,
} from './s3-contract-shapes.js';

export type { ObjectState, RecordedRequest } from './s3-contract-shapes.js';

/**
 * What the S3 emulator (fauxqs) lacks, played by a proxy in front of it that follows S3's documented contract:
 * storage classes (x-amz-storage-class on PUT and CopyObject, StorageClass in HeadObject and ListObjectsV2),
 * archived objects (GetObject refused with 403 InvalidObjectState until RestoreObject's copy is ready, x-amz-restore
 * on HeadObject), Object Lock (retention headers on PUT and multipart uploads, which S3 refuses without a checksum
 * header; GetObjectLockConfiguration; on a versioned bucket a delete without a version id only adds a delete marker,
 * so the locked version stays) and bucket lifecycle configurations. Everything else goes to fauxqs unchanged.
 */
export interface S3Contract {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  requests: RecordedRequest[];
  /** Object state by key (without the bucket). */
  objects: Map<string, ObjectState>;
  /** Versions a delete marker hid: still stored, still locked. */
  hidden: ObjectState[];
  lifecycleXml: string | undefined;
  /** S3 finishing a restore: the copy becomes readable. */
  completeRestore(key: string): void;
  /** An SDK client talking to the contract (not to fauxqs behind it). */
  client(): S3Client;
  emulator: S3Emulator;
  stop(): Promise<void>;
}

export async function startS3Contract(options: { objectLock?: boolean } = {}): Promise<S3Contract> {
  const emulator = await startS3();
  const upstream = new URL(emulator.endpoint);
  const objects = new Map<string, ObjectState>();
  const uploads = new Map<string, Omit<ObjectState, 'key'>>();
  const requests: RecordedRequest[] = [];
  const contract: S3Contract = {
    endpoint: '',
    bucket: emulator.bucket,
    env: {},
    requests,
    objects,
    hidden: [],
    lifecycleXml: undefined,
    emulator,
    completeRestore(key) {
      const o = objects.get(key);
      if (!o?.restore) throw new Error(`no restore was requested for ${key}`);
      o.restore = { ...o.restore, ongoing: false, expires: new Date(Date.now() + o.restore.days * 86_400_000) };
    },
    client: () =>
      (client ??= new S3Client({
        endpoint: contract.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: {
          accessKeyId: emulator.env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: emulator.env.AWS_SECRET_ACCESS_KEY!,
        },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      })),
    stop: async () => {
      client?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await emulator.stop();
    },
  };
  let client: S3Client | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url!, 'http://contract');
    const [, , ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const h = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const q = url.searchParams;
    const record = (status: number) =>
      requests.push({ method: req.method!, key, query: url.search, headers: h, body: body.toString('utf8'), status });
    const reply = (status: number, xml = '', headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/xml', ...headers }).end(xml);
    };
    const lockOf = () =>
      h['x-amz-object-lock-mode']
        ? { mode: h['x-amz-object-lock-mode'], until: new Date(h['x-amz-object-lock-retain-until-date']!) }
        : undefined;
    /** The state a PUT, a copy or a completed upload leaves: the class and retention its headers ask for. */
    const written = (tags: string | undefined): ObjectState => ({
      key,
      storageClass: h['x-amz-storage-class'] ?? 'STANDARD',
      ...(lockOf() ? { lock: lockOf()! } : {}),
      ...(tags ? { tags } : {}),
    });
    /** On a versioned (Object Lock) bucket the version written over stays, hidden. */
    const replace = (next: ObjectState) => {
      const before = objects.get(key);
      if (options.objectLock && before) contract.hidden.push(before);
      objects.set(key, next);
    };

    if (!key && q.has('object-lock') && req.method === 'GET') {
      if (!options.objectLock)
        return reply(404, xmlError('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist'));
      return reply(
        200,
        '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
      );
    }
    if (!key && q.has('lifecycle')) {
      if (req.method === 'PUT') {
        if (!hasChecksum(h))
          return reply(400, xmlError('InvalidRequest', 'Missing required header for this request: Content-MD5'));
        contract.lifecycleXml = body.toString('utf8');
        return reply(200);
      }
      if (!contract.lifecycleXml)
        return reply(404, xmlError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'));
      return reply(200, contract.lifecycleXml);
    }
    const state = objects.get(key);
    if (key && q.has('restore') && req.method === 'POST') {
      if (!state) return reply(404, xmlError('NoSuchKey', 'The specified key does not exist.'));
      if (!ARCHIVED.includes(state.storageClass))
        return reply(
          403,
          xmlError('InvalidObjectState', "Restore is not allowed for the object's current storage class"),
        );
      if (state.restore?.ongoing)
        return reply(409, xmlError('RestoreAlreadyInProgress', 'Object restore is already in progress'));
      const days = Number(/<Days>(\d+)<\/Days>/.exec(body.toString())?.[1]);
      const tier = /<Tier>(\w+)<\/Tier>/.exec(body.toString())?.[1] ?? 'Standard';
      if (state.restore && !state.restore.ongoing) {
        state.restore = { ...state.restore, days, expires: new Date(Date.now() + days * 86_400_000) };
        return reply(200);
      }
      state.restore = { ongoing: true, days, tier };
      return reply(202);
    }
    const readable = (s: ObjectState | undefined) =>
      !s || !ARCHIVED.includes(s.storageClass) || (s.restore && !s.restore.ongoing);
    if (key && req.method === 'GET' && !readable(state))
      return reply(403, xmlError('InvalidObjectState', "The operation is not valid for the object's storage class"));

    if (key && req.method === 'PUT' && !q.has('uploadId')) {
      const copySource = h['x-amz-copy-source'];
      if (copySource) {
        const source = decodeURIComponent(copySource).replace(/^\//, '').split('/').slice(1).join('/');
        const from = objects.get(source);
        if (!readable(from)) return reply(403, xmlError('InvalidObjectState', 'The source object is archived'));
        const unchanged =
          source === key && !h['x-amz-storage-class'] && h['x-amz-metadata-directive'] !== 'REPLACE' && !lockOf();
        if (unchanged)
          return reply(
            400,
            xmlError(
              'InvalidRequest',
              "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
            ),
          );
        return forward(req, res, body, h, key, url, () =>
          replace(written(h['x-amz-tagging-directive'] === 'REPLACE' ? undefined : from?.tags)),
        );
      }
      if (lockOf() && !options.objectLock)
        return reply(400, xmlError('InvalidRequest', 'Bucket is missing Object Lock Configuration'));
      if (lockOf() && !hasChecksum(h))
        return reply(
          400,
          xmlError(
            'InvalidRequest',
            'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
          ),
        );
      return forward(req, res, body, h, key, url, () => replace(written(h['x-amz-tagging'])));
    }
    if (key && req.method === 'POST' && q.has('uploads')) {
      if (lockOf() && !options.objectLock)
        return reply(400, xmlError('InvalidRequest', 'Bucket is missing Object Lock Configuration'));
      const pending = {
        storageClass: h['x-amz-storage-class'] ?? 'STANDARD',
        ...(lockOf() ? { lock: lockOf()! } : {}),
        ...(h['x-amz-tagging'] ? { tags: h['x-amz-tagging'] } : {}),
      };
      return forward(req, res, body, h, key, url, (text) => {
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
        if (id) uploads.set(id, pending);
      });
    }
    if (key && req.method === 'PUT' && q.has('uploadId')) {
      const pending = uploads.get(q.get('uploadId')!);
      if (pending?.lock && !hasChecksum(h))
        return reply(
          400,
          xmlError(
            'InvalidRequest',
            'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
          ),
        );
    }
    if (key && req.method === 'POST' && q.has('uploadId')) {
      const pending = uploads.get(q.get('uploadId')!);
      return forward(req, res, body, h, key, url, () => replace({ key, storageClass: 'STANDARD', ...pending }));
    }
    if (!key && req.method === 'POST' && q.has('delete')) {
      // No version ids: on a versioned (Object Lock) bucket each key gets a delete marker, and that is allowed.
      for (const k of [...body.toString().matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!)) {
        const gone = objects.get(k);
        if (gone && options.objectLock) contract.hidden.push(gone);
        objects.delete(k);
      }
    }
    if (key && req.method === 'DELETE' && !q.has('uploadId')) {
      if (state && options.objectLock) contract.hidden.push(state);
      objects.delete(key);
    }
    return forward(req, res, body, h, key, url);
  }

  /** Sends the request on to fauxqs; HeadObject and ListObjectsV2 answers get the state fauxqs does not keep. */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    headers: Record<string, string>,
    key: string,
    url: URL,
    onOk?: (text: string) => void,
  ): Promise<void> {
    const { expect: _expect, ...sent } = headers;
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: sent },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            let text: Buffer | string = Buffer.concat(chunks);
            const status = answer.statusCode ?? 500;
            const out = { ...answer.headers } as Record<string, string>;
            if (status < 300) onOk?.(text.toString('utf8'));
            const state = objects.get(key);
            if (req.method === 'HEAD' && state && status === 200) Object.assign(out, headObjectHeaders(state));
            if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
              text = text.toString('utf8').replace(/<Contents>([\s\S]*?)<\/Contents>/g, (all, inner: string) => {
                const k = /<Key>([^<]*)<\/Key>/.exec(inner)?.[1] ?? '';
                const cls = objects.get(k)?.storageClass ?? 'STANDARD';
                return all.replace(/<StorageClass>[^<]*<\/StorageClass>/, `<StorageClass>${cls}</StorageClass>`);
              });
              delete out['content-length'];
            }
            requests.push({
              method: req.method!,
              key,
              query: url.search,
              headers,
              body: body.toString('utf8'),
              status,
            });
            res.writeHead(status, out).end(text);
            resolve();
          });
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  contract.endpoint = `http://127.0.0.1:${port}`;
  contract.env = { ...emulator.env, AWS_ENDPOINT_URL: contract.endpoint };
  return contract;
}
