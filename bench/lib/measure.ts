import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The CLI as users run it: compiled once, dependencies from node_modules. */
export async function buildCli(): Promise<string> {
  // Inside the checkout, so the external packages resolve from its node_modules.
  const outfile = join(ROOT, '.pgdr-test', 'bench-pgdr.mjs');
  await build({ entryPoints: [`${ROOT}src/cli/main.ts`], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', jsx: 'automatic', logLevel: 'warning' });
  return outfile;
}

/** GNU time's %M (peak RSS in KiB) is the last line it prints to stderr. */
export function peakRss(stderr: string): number {
  return Number(stderr.trim().split('\n').pop());
}
