import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { LocalRepository } from './local-repository.js';
import type { Repository } from './repository.js';
import type { S3Options } from './s3-client.js';
import { S3Repository } from './s3-repository.js';

export type OpenRepositoryOptions = S3Options;

/** One kind of repository: the URLs it claims and how it opens one. */
interface RepositoryOpener {
  claims(url: string): boolean;
  open(url: string, opts: OpenRepositoryOptions): Repository;
}

const s3: RepositoryOpener = {
  claims: (url) => /^s3:\/\//i.test(url),
  open(url, opts) {
    const [, bucket = '', rest = ''] = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(url) ?? [];
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(
        `"${bucket}" is not a valid S3 bucket name.`,
        'Use s3://bucket/prefix, e.g. s3://acme-backups/pgdr.',
      );
    }
    const prefix = rest.replace(/\/+$/, '');
    if (prefix.split('/').some((s) => s === '.' || s === '..' || (prefix !== '' && s === ''))) {
      throw new UsageError(`"${prefix}" is not a valid S3 prefix.`, 'Use s3://bucket/prefix with plain path segments.');
    }
    return new S3Repository(bucket, prefix ? `${prefix}/` : '', opts);
  },
};

/** A directory path (relative paths resolve against the working directory). */
const local: RepositoryOpener = {
  claims: (url) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(url),
  open: (url) => new LocalRepository(resolve(url)),
};

/** Every kind of repository pgdr opens; the first that claims a URL opens it. A new backend is one more entry. */
const OPENERS: readonly RepositoryOpener[] = [s3, local];

/** "s3://bucket/prefix" or a directory path. */
export function openRepository(spec: string, opts: OpenRepositoryOptions = {}): Repository {
  const url = spec.trim();
  if (!url) throw new UsageError('No backup repository given.', 'Pass --repo <dir> or --repo s3://bucket/prefix.');
  const opener = OPENERS.find((o) => o.claims(url));
  if (!opener)
    throw new UsageError(
      `Unsupported repository "${url.split('://')[0]}://…".`,
      'Use a local directory or s3://bucket/prefix.',
    );
  return opener.open(url, opts);
}
