import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { findBackup } from '../backup/catalog.js';
import { MANIFEST, type BackupManifest } from '../backup/manifest.js';
import { LocalRepository, type Repository } from '../storage/index.js';
import { BackupDirectory } from './backup-directory.js';

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
): Promise<ResolvedBackup> {
  const dir = resolve(ref);
  if ((ref.includes('/') || ref.startsWith('.')) && existsSync(join(dir, MANIFEST)) && statSync(dir).isDirectory()) {
    const local = directoryRepository(dir);
    return { repo: local, manifest: (await findBackup(local, basename(dir))).manifest };
  }
  if (!repo) {
    const { UsageError } = await import('../core/errors.js');
    throw new UsageError(
      'No backup repository given.',
      'Pass --repo DIR|s3://bucket/prefix, set PGDR_REPO, or name a backup directory path.',
    );
  }
  // `latest` means the latest of the target's database when there is one, else the latest of all.
  if ((ref === 'latest' || ref === 'latest-verified') && database) {
    const own = await findBackup(repo, ref, { database }).catch(() => undefined);
    if (own) return { repo, manifest: own.manifest };
  }
  return { repo, manifest: (await findBackup(repo, ref)).manifest };
}

/** The repository `dir` lies in when laid out as <repo>/backups/<id>, else the directory alone, wherever it was copied. */
function directoryRepository(dir: string): Repository {
  if (basename(dirname(dir)) === 'backups') return new LocalRepository(dirname(dirname(dir)));
  return new BackupDirectory(dir);
}
