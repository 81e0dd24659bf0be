import { existsSync } from 'node:fs';
import { isPgdrError, errorMessage } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import type { Catalog } from '../backup/index.js';
import { formatBytes } from '../backup/index.js';
import { critical, ok, warning, type Finding, type Metric } from './finding.js';

/** Reachable and writable (a probe object round trip), then free space against the newest backup's size. */
export async function checkRepository(repo: Repository): Promise<{ findings: Finding[]; usable: boolean }> {
  // The probe would create a missing directory and call it reachable: a mistyped path would pass as an empty repository.
  if (!repo.remote && !existsSync(repo.url))
    return {
      findings: [
        critical(
          'repository.exists',
          'does not exist',
          'Check the path (--repo, PGDR_REPO or repository.url); `pgdr backup` creates a repository with its first backup.',
          repo.url,
        ),
      ],
      usable: false,
    };
  try {
    await repo.probe();
  } catch (error) {
    const hint =
      isPgdrError(error) && error.hint ? error.hint : 'Check the path or bucket, its permissions and your credentials.';
    return { findings: [critical('repository.writable', errorMessage(error), hint, repo.url)], usable: false };
  }
  return { findings: [ok('repository.writable', 'reachable and writable', repo.url)], usable: true };
}

export async function checkDisk(repo: Repository, catalog: Catalog, metrics: Metric[]): Promise<Finding[]> {
  const space = await repo.freeBytes().catch(() => undefined);
  if (!space) return [];
  metrics.push({
    name: 'pgdr_repository_free_bytes',
    help: 'Free bytes on the file system holding the repository.',
    type: 'gauge',
    value: space.free,
  });
  metrics.push({
    name: 'pgdr_repository_size_bytes',
    help: 'Size of the file system holding the repository.',
    type: 'gauge',
    value: space.total,
  });
  const findings: Finding[] = [];
  const pct = space.total > 0 ? (space.free / space.total) * 100 : 100;
  const newest = catalog.backups.at(-1)?.manifest;
  const text = `${formatBytes(space.free)} free of ${formatBytes(space.total)} (${pct.toFixed(0)}%)`;
  if (pct < 20)
    findings.push(
      warning(
        'repository.disk',
        `only ${text}`,
        'Free space or grow the volume; pgdr prune --dry-run shows what retention would remove.',
        repo.url,
      ),
    );
  if (newest && space.free < newest.bytes) {
    findings.push(
      warning(
        'repository.disk',
        `${text}: less than the newest backup (${formatBytes(newest.bytes)}), so the next one may not fit`,
        'Free space now: run pgdr prune, lower retention in pgdr.config.yaml, or move the repository.',
        repo.url,
      ),
    );
  }
  if (findings.length === 0) findings.push(ok('repository.disk', text, repo.url));
  return findings;
}
