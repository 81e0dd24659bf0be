import { chmod, mkdir } from 'node:fs/promises';
import { writeAtomic } from '../storage/local-files.js';
import { dirname, join } from 'node:path';
import { PgdrError } from '../core/errors.js';
import type { RenderedFile } from './render.js';

/** Writes the rendered files under `root` ("/" normally; a temp dir in tests and for packagers), atomically each. */
export async function installFiles(files: RenderedFile[], root = '/'): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = join(root, file.path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeAtomic(target, file.content, file.mode);
      await chmod(target, file.mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PgdrError(`Could not write ${target}: ${(error as Error).message}`, {
        hint:
          code === 'EACCES' || code === 'EPERM'
            ? 'Installing a schedule needs root: rerun with sudo, or use --dry-run and copy the files yourself.'
            : 'Check the directory exists and is writable.',
      });
    }
    written.push(target);
  }
  return written;
}
