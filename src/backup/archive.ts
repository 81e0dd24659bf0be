import type { Duplex, Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Repository } from '../storage/index.js';
import { createDecryptStream } from '../crypto/index.js';
import { ChecksumMismatch, DecryptionFailed } from '../core/errors.js';
import { pipeThrough } from '../core/streams.js';
import { backupDir } from './backup-id.js';
import { decompressStage, decompressToFile, HashStage } from './compression.js';
import type { BackupManifest, ManifestFile } from './manifest.js';

/** An encrypted backup and no key to open it given: input the command needs. Exit 2. */
export class KeyMissing extends DecryptionFailed {
  static override readonly exitCode: number = 2;
}

/** How a backup is sealed: to age recipients, or with a passphrase. */
export type EncryptionOption = { recipients: string[] } | { passphrase: string };

/** What opens an encrypted backup: age identities (from --identity FILE) or a passphrase (from --passphrase-env). */
export interface ArchiveKeys {
  identities?: string[];
  passphrase?: string;
}

export function requireKeys(manifest: BackupManifest, keys: ArchiveKeys): void {
  if (!manifest.encryption) return;
  if (keys.identities?.length || keys.passphrase) return;
  const to = manifest.encryption.recipients.length ? ` to ${manifest.encryption.recipients.join(', ')}` : '';
  throw new KeyMissing(
    `Backup ${manifest.id} is encrypted${to}${manifest.encryption.passphrase ? ' with a passphrase' : ''}.`,
    {
      hint:
        manifest.encryption.passphrase && !manifest.encryption.recipients.length
          ? 'Pass --passphrase-env VAR naming the environment variable that holds the passphrase.'
          : 'Pass --identity FILE with the matching age identity (AGE-SECRET-KEY-1…).',
    },
  );
}

/** Stages that turn stored bytes back into what pg_dump wrote. */
export function plaintextStages(manifest: BackupManifest, keys: ArchiveKeys, signal?: AbortSignal): Duplex[] {
  const method = streamCompression(manifest);
  return [...decryptStages(manifest, keys), ...(method !== 'none' ? [decompressStage(method, signal)] : [])];
}

/** The same, ending in a file: `stages` then `sink`; `done` settles when the file is whole. */
export function plaintextToFile(
  manifest: BackupManifest,
  keys: ArchiveKeys,
  path: string,
  signal?: AbortSignal,
): { stages: Duplex[]; sink: Writable; done: Promise<void> } {
  return { stages: decryptStages(manifest, keys), ...decompressToFile(streamCompression(manifest), path, signal) };
}

const streamCompression = (manifest: BackupManifest) => manifest.compression.stream.split(':')[0]!;

function decryptStages(manifest: BackupManifest, keys: ArchiveKeys): Duplex[] {
  if (!manifest.encryption) return [];
  requireKeys(manifest, keys);
  const recipients = manifest.encryption.recipients;
  return [
    createDecryptStream(
      keys.identities?.length
        ? { identities: keys.identities, recipients }
        : { passphrase: keys.passphrase!, recipients },
    ),
  ];
}

export async function openStored(
  repo: Repository,
  manifest: BackupManifest,
  file: ManifestFile,
  options: { signal?: AbortSignal; onProgress?: (n: number) => void } = {},
): Promise<Readable> {
  const { stream } = await repo.getStream(`${backupDir(manifest.id)}${file.path}`, options);
  return stream;
}

/** Reads a stored file whole and compares its sha256 with the manifest's. */
export async function checkStoredFile(
  repo: Repository,
  manifest: BackupManifest,
  file: ManifestFile,
  options: { signal?: AbortSignal; onProgress?: (n: number) => void } = {},
): Promise<void> {
  const hash = new HashStage(options.onProgress);
  await pipeline(await openStored(repo, manifest, file, { signal: options.signal }), hash, discard());
  const actual = hash.digest();
  if (hash.bytes !== file.bytes || actual !== file.sha256) {
    throw new ChecksumMismatch(
      `Backup ${manifest.id}: ${file.path} does not match its checksum (expected ${file.sha256.slice(0, 16)}… / ${file.bytes} bytes, found ${actual.slice(0, 16)}… / ${hash.bytes} bytes).`,
      {
        hint: 'The stored file is damaged or was changed. Do not restore it; use an older backup (pgdr backups list) and check the storage.',
      },
    );
  }
}

/** Decrypts and decompresses a stored file to nowhere: every age chunk and zstd frame is checked. Returns plaintext bytes. */
export async function checkPlaintext(
  repo: Repository,
  manifest: BackupManifest,
  file: ManifestFile,
  keys: ArchiveKeys,
  signal?: AbortSignal,
): Promise<number> {
  let bytes = 0;
  const sink = discard((n) => (bytes += n));
  await pipeThrough(await openStored(repo, manifest, file, { signal }), plaintextStages(manifest, keys, signal), sink);
  return bytes;
}

export function discard(onBytes?: (n: number) => void): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      onBytes?.(chunk.length);
      done();
    },
  });
}

/** A directory-format backup as pg_restore needs it: its files in `<staging>/data`, each checked against its sha256. */
export async function downloadDirectory(
  repo: Repository,
  manifest: BackupManifest,
  staging: string,
  signal?: AbortSignal,
): Promise<string> {
  const path = join(staging, 'data');
  await mkdir(path, { mode: 0o700 });
  for (const file of manifest.files) {
    const hash = new HashStage();
    await pipeline(
      await openStored(repo, manifest, file, { signal }),
      hash,
      createWriteStream(join(path, basename(file.path)), { mode: 0o600, flags: 'wx' }),
    );
    if (hash.digest() !== file.sha256)
      throw new ChecksumMismatch(`Backup ${manifest.id}: ${file.path} does not match its checksum.`, {
        hint: 'The stored file is damaged. Use an older backup.',
      });
  }
  return path;
}
