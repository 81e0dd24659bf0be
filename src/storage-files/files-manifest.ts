import { createHash } from 'node:crypto';
import type { Repository } from '../storage/index.js';
import { BackupNotFound } from '../core/errors.js';

/** One Storage object as kept in the repository. */
export interface FileEntry {
  bucket: string;
  key: string;
  etag: string;
  /** Plaintext size and sha256, checked again before a restore writes the object back. */
  bytes: number;
  sha256: string;
  contentType?: string;
  /** Repository key of the stored copy, shared by every snapshot in which the object did not change. */
  stored: string;
}

/** `files/snapshots/<id>.json`: written last, like a backup manifest; the snapshot exists only once it is there. */
export interface FilesManifest {
  formatVersion: 1;
  id: string;
  source: string;
  startedAt: string;
  finishedAt: string;
  buckets: string[];
  objects: FileEntry[];
  copied: number;
  reused: number;
  bytesCopied: number;
  encryption: null | { format: 'age'; recipients: string[] };
}

export const SNAPSHOTS = 'files/snapshots/';
/** Held by a files backup and by prune, so prune never collects objects a running backup just copied. */
export const FILES_LOCK = 'locks/storage-files';

/** Stored objects are keyed by what identifies a version (bucket, key, ETag, size): unchanged objects are not copied again. */
export function poolKey(bucket: string, key: string, etag: string, bytes: number, encrypted: boolean): string {
  const id = createHash('sha256').update(`${bucket}\0${key}\0${etag}\0${bytes}`).digest('hex');
  return `files/objects/${id.slice(0, 2)}/${id}${encrypted ? '.age' : ''}`;
}

export async function listFileSnapshots(repo: Repository): Promise<string[]> {
  const objects = await repo.list(SNAPSHOTS);
  return objects
    .map((o) => o.key.slice(SNAPSHOTS.length).replace(/\.json$/, ''))
    .filter((id) => id && !id.includes('/'))
    .sort();
}

export async function readFilesManifest(repo: Repository, ref: string): Promise<FilesManifest> {
  const ids = await listFileSnapshots(repo);
  const id =
    ref === 'latest'
      ? ids.at(-1)
      : (ids.find((i) => i === ref) ??
        (ids.filter((i) => i.startsWith(ref)).length === 1 ? ids.find((i) => i.startsWith(ref)) : undefined));
  if (!id) {
    throw new BackupNotFound(`No Storage files snapshot "${ref}" in ${repo.url}.`, {
      hint: ids.length ? `Snapshots: ${ids.slice(-3).join(', ')}.` : 'Take one with a backup that includes --storage.',
    });
  }
  return JSON.parse((await repo.readFile(`${SNAPSHOTS}${id}.json`)).toString('utf8')) as FilesManifest;
}
