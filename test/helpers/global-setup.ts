import { build } from 'esbuild';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findServerBinDir } from '../../src/sandbox/local-cluster.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Fails once, clearly, when PostgreSQL is missing; compiles the CLI once (dependencies stay external) so that each
 * of the hundreds of CLI runs in the tests starts in a fraction of a second instead of compiling TypeScript; and
 * gives the run a temporary directory of its own (TMPDIR, inherited by the test workers and every pgdr they start),
 * removed at the end, so the repositories and archives the tests make do not pile up in /tmp.
 */
export default async function setup(): Promise<() => void> {
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
  const runTmp = mkdtempSync(join(tmpdir(), 'pgdr-test-'));
  // Traversable like /tmp, so the server's OS user reaches the directories tests make for it (pgBackRest's repo).
  chmodSync(runTmp, 0o711);
  process.env.TMPDIR = runTmp;
  return () => rmSync(runTmp, { recursive: true, force: true });
}
