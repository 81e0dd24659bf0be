import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { OperationContext } from '../core/context.js';
import { startProcess } from '../core/system.js';
import { makeStagingDir } from '../core/staging.js';
import type { Repository } from '../storage/index.js';
import { backupDir } from './backup-id.js';
import { HashStage } from './compression.js';
import { pgDumpArgs, type DumpArgsInput } from './dump-args.js';
import type { ManifestFile } from './manifest.js';

export interface DirectoryDumpInput {
  repo: Repository;
  id: string;
  pgDumpPath: string;
  dumpArgs: Omit<DumpArgsInput, 'outDir'>;
  env: NodeJS.ProcessEnv;
  databaseBytes: number;
}

/**
 * `pg_dump -Fd -j N` writes a directory itself, so it is staged (PGDR_STAGING_DIR or the system temp directory)
 * and each file is then streamed into the repository with its checksum. Worth it for big databases: both the
 * dump and the restore run in parallel.
 */
export async function dumpDirectoryFormat(
  input: DirectoryDumpInput,
  ctx: OperationContext,
  signal: AbortSignal,
): Promise<ManifestFile[]> {
  const staging = makeStagingDir('backup', (m) => ctx.log.warn(m));
  const outDir = join(staging.path, 'data');
  try {
    const dump = startProcess(input.pgDumpPath, pgDumpArgs({ ...input.dumpArgs, outDir }), {
      env: input.env,
      stdout: 'ignore',
      signal,
      onStderrLine: (l) => ctx.log.debug(l),
    });
    await dump.done;
    const files: ManifestFile[] = [];
    let uploaded = 0;
    for (const name of (await readdir(outDir)).sort()) {
      const hash = new HashStage((n) =>
        ctx.progress({ label: 'store', done: uploaded + n, total: input.databaseBytes, unit: 'bytes' }),
      );
      const path = `data/${name}`;
      const flowing = pipeline(createReadStream(join(outDir, name)), hash);
      await Promise.all([flowing, input.repo.putStream(`${backupDir(input.id)}${path}`, hash, { signal })]);
      uploaded += hash.bytes;
      files.push({ path, bytes: hash.bytes, sha256: hash.digest() });
    }
    return files;
  } finally {
    staging.remove();
  }
}
