import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { findBackup } from '../backup/catalog.js';
import { MANIFEST, type BackupManifest } from '../backup/manifest.js';
import { isBackupId, MAX_MANIFEST_BYTES } from '../backup/manifest-schema.js';
import { openRepository, type Repository } from '../storage/index.js';
import { singleBackupRepository } from '../storage/single-backup.js';
import { UsageError } from '../core/errors.js';

export interface ResolvedBackup {
  repo: Repository;
  manifest: BackupManifest;
}

/**
 * `<id>`, `latest`, `latest-verified` in the repository, or the path of a backup directory (one holding manifest.json),
 * wherever it was copied to.
 */
export async function resolveBackup(
  repo: Repository | undefined,
  ref: string,
  database?: string,
  warn?: (line: string) => void,
): Promise<ResolvedBackup> {
  const dir = resolve(ref);
  if ((ref.includes('/') || ref.startsWith('.')) && existsSync(join(dir, MANIFEST)) && statSync(dir).isDirectory()) {
    const local = directoryRepository(dir);
    return { repo: local.repo, manifest: (await findBackup(local.repo, local.id, { warn })).manifest };
  }
  if (!repo) {
    throw new UsageError(
      'No backup repository given.',
      'Pass --repo DIR|s3://bucket/prefix, set PGDR_REPO, or name a backup directory path.',
    );
  }
  // `latest` means the latest of the target's database when there is one, else the latest of all.
  if ((ref === 'latest' || ref === 'latest-verified') && database) {
    const own = await findBackup(repo, ref, { database, warn }).catch(() => undefined);
    return { repo, manifest: own?.manifest ?? (await findBackup(repo, ref)).manifest };
  }
  return { repo, manifest: (await findBackup(repo, ref, { warn })).manifest };
}

/**
 * The repository holding the backup directory `dir`: its own when laid out as <repo>/backups/<id>, else a view of
 * the directory alone under the id its manifest gives (a copy may have been renamed).
 */
function directoryRepository(dir: string): { repo: Repository; id: string } {
  if (basename(dirname(dir)) === 'backups') return { repo: openRepository(dirname(dirname(dir))), id: basename(dir) };
  const id = claimedId(join(dir, MANIFEST)) ?? basename(dir);
  return { repo: singleBackupRepository(dir, id), id };
}

function claimedId(path: string): string | undefined {
  try {
    if (statSync(path).size > MAX_MANIFEST_BYTES) return undefined;
    const id = (JSON.parse(readFileSync(path, 'utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && isBackupId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
