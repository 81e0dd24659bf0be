import { Readable } from 'node:stream';
import { runProcess } from '../core/system.js';
import { pipeThrough } from '../core/streams.js';
import { filterRolesScript } from '../pg/supabase.js';
import type { Repository } from '../storage/index.js';
import { createEncryptStream } from '../crypto/index.js';
import { backupDir } from './backup-id.js';
import { HashStage } from './compression.js';
import type { ManifestFile } from './manifest.js';
import type { EncryptionOption } from './archive.js';

/** The project's own roles (no passwords, Supabase's reserved roles left out), stored beside the archive. */
export async function dumpSupabaseRoles(
  input: { repo: Repository; id: string; toolPath: string; env: NodeJS.ProcessEnv; encryption?: EncryptionOption },
  signal: AbortSignal,
): Promise<ManifestFile> {
  const script = await runProcess(input.toolPath, ['--roles-only', '--no-role-passwords', '--no-password'], {
    env: input.env,
    signal,
  });
  const path = `roles.sql${input.encryption ? '.age' : ''}`;
  const hash = new HashStage();
  const source = Readable.from([Buffer.from(filterRolesScript(script))]);
  const flowing = pipeThrough(source, input.encryption ? [createEncryptStream(input.encryption)] : [], hash);
  await Promise.all([flowing, input.repo.putStream(`${backupDir(input.id)}${path}`, hash, { signal })]);
  return { path, bytes: hash.bytes, sha256: hash.digest() };
}
