import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { findServerBinDir } from '../../src/sandbox/local-cluster.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Fails once, clearly, when PostgreSQL is missing; and compiles the CLI once (dependencies stay external) so that
 * each of the hundreds of CLI runs in the tests starts in a fraction of a second instead of compiling TypeScript.
 */
export default async function setup(): Promise<void> {
  findServerBinDir();
  await build({
    entryPoints: { pgdr: `${ROOT}src/cli/main.ts` },
    outdir: `${ROOT}.pgdr-test`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Chunks per command: with dependencies external, one file would import all of them (1 s) on every run.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    logLevel: 'warning',
  });
}
