import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The CLI as users run it: the one-file bundle (npm run bundle), its command code already compiled into the cache
 * (the first command after an upgrade does that once; a bench should not time it).
 */
export async function buildCli(): Promise<string> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const cli = join(ROOT, 'dist/pgdr.mjs');
  const empty = mkdtempSync(join(tmpdir(), 'pgdr-bench-warm-'));
  try {
    execFileSync(process.execPath, [cli, 'backups', 'list', '--repo', empty], { stdio: 'ignore' });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  return cli;
}

/** GNU time's %M (peak RSS in KiB) is the last line it prints to stderr. */
export function peakRss(stderr: string): number {
  return Number(stderr.trim().split('\n').pop());
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
