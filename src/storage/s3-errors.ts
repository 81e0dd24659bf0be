import { isPgdrError, type PgdrError, StorageError } from '../core/errors.js';
import { redact } from '../core/secrets.js';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
}

/** An object in GLACIER or DEEP_ARCHIVE read before a restored copy exists. */
export class ArchivedObject extends StorageError {}

export function s3Status(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function isS3NotFound(error: unknown): boolean {
  const name = (error as SdkError | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (s3Status(error) === 404 && name !== 'NoSuchBucket');
}

function networkCode(error: unknown): string | undefined {
  const e = error as SdkError | undefined;
  const codes = [e?.code, e?.name, ...(e?.errors ?? []).map((x) => (x as SdkError).code)];
  const text = `${codes.join(' ')} ${e?.message ?? ''}`;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'TimeoutError'].find(
    (c) => text.includes(c),
  );
}

/**
 * Maps an SDK failure to a StorageError an operator can act on. `target` is the s3:// URL of the key or repository;
 * `endpoint` the custom endpoint, if any (never holds credentials).
 */
export function s3Error(error: unknown, action: string, target: string, endpoint: string | undefined): PgdrError {
  if (isPgdrError(error)) return error;
  const e = error as SdkError | undefined;
  const name = e?.name ?? '';
  const status = s3Status(error);
  const message = redact(e?.message || name || String(error));
  const bucket = target.replace(/^s3:\/\//, '').split('/')[0];
  if (name === 'NoSuchBucket') {
    return new StorageError(`The bucket "${bucket}" does not exist${endpoint ? ` at ${endpoint}` : ''}.`, {
      hint: 'Create the bucket or fix the name in the repository URL (s3://bucket/prefix).',
      cause: error,
    });
  }
  if (name === 'InvalidObjectState') {
    return new ArchivedObject(
      `${target} is in an archive storage class (Glacier, Deep Archive): S3 must restore it before it can be read.`,
      {
        hint: 'pgdr restore requests it back (RestoreObject) and waits; pgdr restore --dry-run says how long that takes.',
        cause: error,
      },
    );
  }
  if (isS3NotFound(error)) {
    return new StorageError(`Not found: ${target}.`, {
      hint: 'Check the repository URL and the backup id; `pgdr backups list` shows what exists.',
      cause: error,
    });
  }
  const credentialNames = [
    'CredentialsProviderError',
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'InvalidToken',
    'AccessDenied',
  ];
  if (credentialNames.includes(name) || status === 403 || status === 401) {
    const what =
      name === 'CredentialsProviderError'
        ? `No AWS credentials found for ${action} ${target}.`
        : `S3 refused ${action} ${target}: ${message}`;
    return new StorageError(what, {
      hint: 'Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), and check that key may read and write this bucket and prefix.',
      cause: error,
    });
  }
  const network = networkCode(error);
  if (network) {
    const where = endpoint ?? 'the AWS S3 endpoint';
    return new StorageError(`Could not reach ${where} while ${action} ${target} (${network}).`, {
      hint: endpoint
        ? 'Check AWS_ENDPOINT_URL (or --s3-endpoint) and that the S3 service is running and reachable from here.'
        : 'Check the network, AWS_REGION, and any proxy settings; set AWS_ENDPOINT_URL for S3-compatible services.',
      cause: error,
    });
  }
  return new StorageError(`S3 failed ${action} ${target}: ${message}${status ? ` (HTTP ${status})` : ''}`, {
    hint: 'Retry; if it keeps failing, check the bucket policy, the endpoint and the provider status page.',
    cause: error,
  });
}
