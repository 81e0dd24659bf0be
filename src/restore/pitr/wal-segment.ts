import { createWriteStream } from 'node:fs';
import { PassThrough, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { decompressStage } from '../../backup/compression.js';
import { runPgbackrest, startPgbackrest, type PgbackrestTarget } from '../../backup/physical/pgbackrest-command.js';

/**
 * Copies an archived WAL segment to `file`. repo-get (pgBackRest decrypts, pgdr decompresses) needs no cluster, so
 * the window can still be read after the cluster is lost; archive-get reads the cluster's pg_control and fails then.
 */
export async function fetchSegment(
  target: PgbackrestTarget,
  segment: { name: string; stored: string },
  file: string,
  signal?: AbortSignal,
): Promise<void> {
  const suffix = /\.(gz|zst|lz4|bz2)$/.exec(segment.stored)?.[1];
  const decompress: Duplex | undefined =
    suffix === undefined
      ? new PassThrough()
      : suffix === 'zst'
        ? decompressStage('zstd', signal)
        : suffix === 'gz'
          ? createGunzip()
          : undefined;
  // lz4 and bz2 need their own tools: pgBackRest's archive-get decompresses those itself.
  if (!decompress) return void (await runPgbackrest(target, 'archive-get', [segment.name, file], { signal }));
  const proc = await startPgbackrest(target, 'repo-get', [segment.stored], { signal });
  await Promise.all([pipeline(proc.stdout!, decompress, createWriteStream(file, { mode: 0o600 })), proc.done]);
}
