import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { LocalRepository } from './local-repository.js';
import type { Repository } from './repository.js';
import type { S3Options } from './s3-client.js';
import { S3Repository } from './s3-repository.js';

export type OpenRepositoryOptions = S3Options;

/** "s3://bucket/prefix" or a directory path (relative paths resolve against the working directory). */
export function openRepository(spec: string, opts: OpenRepositoryOptions = {}): Repository {
  const trimmed = spec.trim();
  if (!trimmed) throw new UsageError('No backup repository given.', 'Pass --repo <dir> or --repo s3://bucket/prefix.');
  const s3 = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(trimmed);
  if (s3) {
    const bucket = s3[1] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(
        `"${bucket}" is not a valid S3 bucket name.`,
        'Use s3://bucket/prefix, e.g. s3://acme-backups/pgdr.',
      );
    }
    const prefix = (s3[2] ?? '').replace(/\/+$/, '');
    if (prefix.split('/').some((s) => s === '.' || s === '..' || (prefix !== '' && s === ''))) {
      throw new UsageError(`"${prefix}" is not a valid S3 prefix.`, 'Use s3://bucket/prefix with plain path segments.');
    }
    return new S3Repository(bucket, prefix ? `${prefix}/` : '', opts);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new UsageError(
      `Unsupported repository "${trimmed.split('://')[0]}://…".`,
      'Use a local directory or s3://bucket/prefix.',
    );
  }
  return new LocalRepository(resolve(trimmed));
}
