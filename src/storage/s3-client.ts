import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { registerSecret } from '../core/secrets.js';
import { cjsExports } from '../core/cjs-interop.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type Env = Record<string, string | undefined>;

export interface S3Options {
  s3Endpoint?: string;
  region?: string;
  env?: Env;
  /** Multipart part size; tests lower it to show memory stays bounded. */
  s3PartSize?: number;
}

export interface S3Connection {
  sdk: S3Sdk;
  client: S3Client;
  endpoint: string | undefined;
}

export function s3Endpoint(opts: S3Options): string | undefined {
  const env = opts.env ?? process.env;
  return opts.s3Endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** Loaded on first use so commands that only touch a local repository never pay for the SDK. */
export async function connectS3(opts: S3Options): Promise<S3Connection> {
  const sdk = cjsExports(await import('@aws-sdk/client-s3'), 'S3Client');
  const env = opts.env ?? process.env;
  const endpoint = s3Endpoint(opts);
  const config: S3ClientConfig = {
    region: opts.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // R2, B2 and older MinIO reject the SDK's default flexible checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    retryMode: 'standard',
    maxAttempts: 5,
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  registerSecret(env.AWS_SECRET_ACCESS_KEY);
  registerSecret(env.AWS_SESSION_TOKEN);
  // An explicitly passed env stands in for process.env; the SDK's own chain (profiles, SSO, IMDS) still does the rest.
  if (opts.env && opts.env !== process.env) {
    if (opts.env.AWS_ACCESS_KEY_ID && opts.env.AWS_SECRET_ACCESS_KEY) {
      config.credentials = {
        accessKeyId: opts.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: opts.env.AWS_SECRET_ACCESS_KEY,
        ...(opts.env.AWS_SESSION_TOKEN ? { sessionToken: opts.env.AWS_SESSION_TOKEN } : {}),
      };
    } else if (opts.env.AWS_PROFILE) {
      config.profile = opts.env.AWS_PROFILE;
    }
  }
  return { sdk, client: new sdk.S3Client(config), endpoint };
}
