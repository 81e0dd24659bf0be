import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_ASSETS } from './embedded-assets.js';
import { writeVersion } from './private-cache.js';

let written: string | undefined;

/** Writes the embedded copies once per content version; returns the directory that holds runbooks/ and templates/. */
export function embeddedAssetsRoot(): string {
  if (written) return written;
  const digest = createHash('sha256').update(JSON.stringify(EMBEDDED_ASSETS)).digest('hex').slice(0, 16);
  written = writeVersion('assets-', digest, EMBEDDED_ASSETS);
  return written;
}

/**
 * A shipped directory (runbooks or templates): the first of `relative` (resolved against `base`, a module's
 * import.meta.url) that holds the shipped files, else the copy embedded in the one-file bundle.
 */
export function shippedDir(name: 'runbooks' | 'templates', base: string, relative: string[]): string {
  const marker = name === 'runbooks' ? 'complete-loss.yaml' : 'report.md.tmpl';
  const found = relative.map((p) => fileURLToPath(new URL(p, base))).find((dir) => existsSync(join(dir, marker)));
  if (found) return found;
  if (Object.keys(EMBEDDED_ASSETS).some((path) => path.startsWith(`${name}/`)))
    return join(embeddedAssetsRoot(), name) + '/';
  return fileURLToPath(new URL(relative[0]!, base));
}
