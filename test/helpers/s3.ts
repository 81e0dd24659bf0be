import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { startProcess } from '../../src/core/system.js';

export interface S3Emulator {
  endpoint: string;
  bucket: string;
  /** The emulator's process id (benches pin it to a core). */
  pid: number;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY test values, AWS_ENDPOINT_URL, AWS_REGION. */
  env: Record<string, string>;
  client(): S3Client;
  /** Unfinished multipart uploads, via ListMultipartUploads: a clean failure leaves none. */
  uploadsInProgress(bucket?: string): Promise<{ key: string; uploadId: string }[]>;
  stop(): Promise<void>;
}

export interface S3EmulatorOptions {
  /** false: ignore If-None-Match like some S3-compatible services do (default true, like AWS). */
  conditionalWrites?: boolean;
}

const SERVE_FLAG = '--serve-s3-emulator';
const HERE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * fauxqs's S3 in a child process on a free 127.0.0.1 port: a child, so the objects it holds in memory do not count
 * against the memory the test process measures.
 */
export async function startS3(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const mode = options.conditionalWrites === false ? 'ignore-if-none-match' : 'if-none-match';
  const proc = startProcess(process.execPath, ['--import', 'tsx', HERE, SERVE_FLAG, mode], {
    cwd: ROOT,
    stdin: 'pipe',
    stdout: 'pipe',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines = createInterface({ input: proc.stdout! });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  const line = await Promise.race([firstLine, proc.done.then(() => '')]).catch((error: unknown) => {
    throw new Error(`The S3 emulator did not start: ${String(error)}`);
  });
  const { port } = JSON.parse(line) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    AWS_ACCESS_KEY_ID: 'pgdr-test-key',
    AWS_SECRET_ACCESS_KEY: 'pgdr-test-secret-value',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
  };
  let cached: S3Client | undefined;
  const client = () =>
    (cached ??= new S3Client({
      endpoint,
      region: env.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }));
  const bucket = `pgdr-test-${randomBytes(4).toString('hex')}`;
  await client().send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    pid: proc.child.pid!,
    env,
    client,
    async uploadsInProgress(name = bucket) {
      const out = await client().send(new ListMultipartUploadsCommand({ Bucket: name }));
      return (out.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
    },
    async stop() {
      cached?.destroy();
      lines.close();
      proc.kill();
      await proc.done.catch(() => {});
    },
  };
}

interface FauxqsS3Store {
  buckets: Map<string, Map<string, unknown>>;
  multipartUploads: Map<string, { uploadId: string; bucket: string; key: string; initiated: Date }>;
}

/** The child's side. fauxqs lacks ListMultipartUploads and If-None-Match and caps bodies at 11 MiB; we add both and lift the cap. */
async function serveS3Emulator(conditionalWrites: boolean): Promise<void> {
  const { buildApp } = await import('fauxqs');
  const { S3Store } = (await import(new URL('./s3/s3Store.js', import.meta.resolve('fauxqs')).href)) as {
    S3Store: new () => FauxqsS3Store;
  };
  const s3Store = new S3Store();
  const app = buildApp({ logger: false, stores: { s3Store } as never });
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, 'http://emulator');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (request.method === 'GET' && key === '' && url.searchParams.has('uploads')) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const uploads = [...s3Store.multipartUploads.values()].filter(
        (u) => u.bucket === bucket && u.key.startsWith(prefix),
      );
      return reply
        .code(200)
        .header('content-type', 'application/xml')
        .send(listUploadsXml(bucket, prefix, uploads));
    }
    const ifNoneMatch = request.headers['if-none-match'];
    if (
      conditionalWrites &&
      request.method === 'PUT' &&
      key &&
      ifNoneMatch === '*' &&
      !url.searchParams.has('uploadId')
    ) {
      if (s3Store.buckets.get(bucket)?.has(key)) {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`;
        return reply.code(412).header('content-type', 'application/xml').send(xml);
      }
    }
    return undefined;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  // The parent holds our stdin: when it goes away, so do we.
  process.stdin.resume();
  process.stdin.once('close', () => void app.close().finally(() => process.exit(0)));
  process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
}

function listUploadsXml(
  bucket: string,
  prefix: string,
  uploads: { key: string; uploadId: string; initiated: Date }[],
): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const items = uploads
    .map(
      (u) =>
        `<Upload><Key>${esc(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${esc(bucket)}</Bucket><Prefix>${esc(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`;
}

if (process.argv[2] === SERVE_FLAG && process.argv[1] === HERE) {
  void serveS3Emulator(process.argv[3] !== 'ignore-if-none-match');
}
