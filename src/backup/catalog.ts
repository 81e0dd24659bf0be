import type { Repository } from '../storage/index.js';
import { BackupNotFound } from '../core/errors.js';
import { backupDir, backupTime } from './backup-id.js';
import { MANIFEST, VERIFICATION, type BackupManifest, type VerificationResult } from './manifest.js';

export interface CatalogEntry {
  manifest: BackupManifest;
  verification?: VerificationResult;
}

export interface Catalog {
  backups: CatalogEntry[];
  /** Directories without a manifest: failed or still running backups. Never restorable. */
  incomplete: { id: string; startedAt?: Date }[];
}

/** Every complete backup in the repository, oldest first. */
export async function listBackups(repo: Repository): Promise<Catalog> {
  const ids = await repo.listDirs('backups/');
  const backups: CatalogEntry[] = [];
  const incomplete: Catalog['incomplete'] = [];
  await Promise.all(
    ids.map(async (id) => {
      const manifest = await readJson<BackupManifest>(repo, `${backupDir(id)}${MANIFEST}`);
      if (!manifest) {
        incomplete.push({ id, startedAt: backupTime(id) });
        return;
      }
      const verification = await readJson<VerificationResult>(repo, `${backupDir(id)}${VERIFICATION}`);
      backups.push({ manifest, ...(verification ? { verification } : {}) });
    }),
  );
  backups.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
  incomplete.sort((a, b) => a.id.localeCompare(b.id));
  return { backups, incomplete };
}

async function readJson<T>(repo: Repository, key: string): Promise<T | undefined> {
  if (!(await repo.stat(key))) return undefined;
  try {
    return JSON.parse((await repo.readFile(key)).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export interface BackupFilter {
  database?: string;
  kind?: string;
}

/** `latest`, `latest-verified`, a full id or an unambiguous prefix of one. */
export async function findBackup(repo: Repository, ref: string, filter: BackupFilter = {}): Promise<CatalogEntry> {
  const { backups } = await listBackups(repo);
  const matching = backups.filter(
    (b) =>
      (!filter.database || b.manifest.database === filter.database) &&
      (!filter.kind || b.manifest.kind === filter.kind),
  );
  let found: CatalogEntry | undefined;
  if (ref === 'latest') found = matching.at(-1);
  else if (ref === 'latest-verified') found = matching.filter((b) => b.verification?.ok).at(-1);
  else {
    found = backups.find((b) => b.manifest.id === ref);
    if (!found) {
      const byPrefix = backups.filter((b) => b.manifest.id.startsWith(ref));
      if (byPrefix.length === 1) found = byPrefix[0];
      else if (byPrefix.length > 1) {
        throw new BackupNotFound(`"${ref}" matches ${byPrefix.length} backups.`, {
          hint: `Give more of the id: ${byPrefix
            .slice(-3)
            .map((b) => b.manifest.id)
            .join(', ')}`,
          exitCode: 2,
        });
      }
    }
  }
  if (!found) {
    const recent = matching.slice(-3).map((b) => b.manifest.id);
    throw new BackupNotFound(
      `No backup "${ref}"${filter.database ? ` of database ${filter.database}` : ''} in ${repo.url}.`,
      {
        hint: recent.length
          ? `Recent backups: ${recent.join(', ')} (pgdr backups list shows all).`
          : 'The repository has no complete backups yet: take one with pgdr backup.',
      },
    );
  }
  return found;
}
