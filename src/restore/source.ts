import { existsSync, mkdtempSync, mkdirSync, symlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { findBackup } from '../backup/catalog.js';
import { MANIFEST, type BackupManifest } from '../backup/manifest.js';
import { LocalRepository, type Repository } from '../storage/index.js';

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

/** A repository whose only backup is `dir`: its own parent when laid out as <repo>/backups/<id>, else a linked view. */
function directoryRepository(dir: string): Repository {
  if (basename(dirname(dir)) === 'backups') return new LocalRepository(dirname(dirname(dir)));
  const root = mkdtempSync(join(tmpdir(), 'pgdr-backup-link-'));
  mkdirSync(join(root, 'backups'));
  symlinkSync(dir, join(root, 'backups', basename(dir)));
  return new LocalRepository(root);
}
