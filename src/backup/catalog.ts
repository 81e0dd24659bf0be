import type { Repository } from '../storage/index.js';
import { colderThan, type StorageClass } from '../storage/storage-classes.js';
import { BackupNotFound, PgdrError, UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { backupDir, backupTime } from './backup-id.js';
import { MANIFEST, VERIFICATION, type BackupManifest, type VerificationResult } from './manifest.js';
import {
  checkManifest,
  checkVerification,
  isBackupId,
  MAX_MANIFEST_BYTES,
  MAX_VERIFICATION_BYTES,
  type Checked,
} from './manifest-schema.js';

export interface CatalogEntry {
  manifest: BackupManifest;
  verification?: VerificationResult;
  /** S3: the coldest storage class among the backup's archive files, as the listing reports it. */
  storageClass?: StorageClass;
}

/** A directory under backups/ that pgdr will not use: listed with the reason, never restored, never pruned. */
export interface DamagedBackup {
  /** The directory's name, printable. */
  id: string;
  reason: string;
}

export interface Catalog {
  /** Backups whose manifest checks out against its directory and whose files are all there: oldest first. */
  backups: CatalogEntry[];
  /** Directories without a manifest: failed or still running backups. Never restorable. */
  incomplete: { id: string; startedAt?: Date }[];
  damaged: DamagedBackup[];
  /** One line per damaged backup or ignored verification record, naming it: for the operator's warnings. */
  warnings: string[];
}

export class BackupDamaged extends PgdrError {}

/** Every backup in the repository, checked; a bad one is reported and never stops the others from being listed. */
export async function listBackups(repo: Repository, now: Date = new Date()): Promise<Catalog> {
  const [names, stored] = await Promise.all([repo.listDirs('backups/'), storedFiles(repo)]);
  const catalog: Catalog = { backups: [], incomplete: [], damaged: [], warnings: [] };
  const damaged = (name: string, reason: string) => {
    catalog.damaged.push({ id: printable(name), reason });
    catalog.warnings.push(`Skipped backup ${printable(name)}: ${reason}; pgdr leaves it in place.`);
  };
  await Promise.all(
    names.map(async (name) => {
      if (!isBackupId(name)) return damaged(name, 'its name is not a backup id');
      const manifest = await readChecked(repo, name, MANIFEST, MAX_MANIFEST_BYTES, (b) => checkManifest(b, name, now));
      if (manifest === undefined) return void catalog.incomplete.push({ id: name, startedAt: backupTime(name) });
      if (!manifest.ok) return damaged(name, `its manifest cannot be used: ${manifest.problem}`);
      const missing = missingFile(manifest.value, stored.get(name));
      if (missing) return damaged(name, missing);
      const verification = await readChecked(repo, name, VERIFICATION, MAX_VERIFICATION_BYTES, (b) =>
        checkVerification(b, name),
      );
      if (verification && !verification.ok)
        catalog.warnings.push(`Ignored the verification record of backup ${name}: ${verification.problem}.`);
      const storageClass = coldestClass(manifest.value, stored.get(name));
      catalog.backups.push({
        manifest: manifest.value,
        ...(verification?.ok ? { verification: verification.value } : {}),
        ...(storageClass ? { storageClass } : {}),
      });
    }),
  );
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  catalog.backups.sort((a, b) => byId(a.manifest.id, b.manifest.id));
  catalog.incomplete.sort((a, b) => byId(a.id, b.id));
  catalog.damaged.sort((a, b) => byId(a.id, b.id));
  catalog.warnings.sort();
  return catalog;
}

/** undefined: no such file; otherwise the checked content, or why it cannot be read or used. */
async function readChecked<T>(
  repo: Repository,
  dir: string,
  file: string,
  maxBytes: number,
  check: (bytes: Buffer) => Checked<T>,
): Promise<Checked<T> | undefined> {
  const key = `${backupDir(dir)}${file}`;
  try {
    if (!(await repo.stat(key))) return undefined;
    return check(await repo.readFile(key, { maxBytes }));
  } catch (error) {
    return { ok: false, problem: error instanceof PgdrError ? error.message.replace(/\.$/, '') : String(error) };
  }
}

type Stored = Map<string, { bytes: number; storageClass?: StorageClass }>;

/** Every stored file under backups/, by backup directory: path inside it → size and class. One listing for the whole catalog. */
async function storedFiles(repo: Repository): Promise<Map<string, Stored>> {
  const byDir = new Map<string, Stored>();
  for (const { key, bytes, storageClass } of await repo.list('backups/')) {
    const [, dir, ...rest] = key.split('/');
    if (!dir || rest.length === 0) continue;
    if (!byDir.has(dir)) byDir.set(dir, new Map());
    byDir.get(dir)!.set(rest.join('/'), { bytes, ...(storageClass ? { storageClass } : {}) });
  }
  return byDir;
}

function coldestClass(manifest: BackupManifest, stored: Stored | undefined): StorageClass | undefined {
  let coldest: StorageClass | undefined;
  for (const file of manifest.files) {
    const storageClass = stored?.get(file.path)?.storageClass;
    if (storageClass && (!coldest || colderThan(storageClass, coldest))) coldest = storageClass;
  }
  return coldest;
}

function missingFile(manifest: BackupManifest, stored: Stored | undefined): string | undefined {
  for (const file of [...manifest.files, ...(manifest.extras ?? [])]) {
    const bytes = stored?.get(file.path)?.bytes;
    if (bytes === undefined) return `its file ${file.path} is missing`;
    if (bytes !== file.bytes) return `its file ${file.path} has ${bytes} bytes, the manifest says ${file.bytes}`;
  }
  return undefined;
}

export interface BackupFilter {
  database?: string;
  kind?: string;
  /** Told each line of the catalog's warnings (damaged backups, ignored verification records). */
  warn?: (line: string) => void;
}

/** `latest`, `latest-verified`, a full id or an unambiguous prefix of one. */
export async function findBackup(repo: Repository, ref: string, filter: BackupFilter = {}): Promise<CatalogEntry> {
  const { backups, damaged, warnings } = await listBackups(repo);
  for (const line of warnings) filter.warn?.(line);
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
    const bad = damaged.find((d) => d.id === ref);
    if (!found && bad) {
      throw new BackupDamaged(`Backup ${bad.id} cannot be used: ${bad.reason}.`, {
        hint: 'pgdr keeps it as it is (prune never removes it). Restore another backup (pgdr backups list shows them) and look at who changed this one.',
      });
    }
    if (!found) {
      const byPrefix = backups.filter((b) => b.manifest.id.startsWith(ref));
      if (byPrefix.length === 1) found = byPrefix[0];
      else if (byPrefix.length > 1) {
        throw new UsageError(
          `"${ref}" matches ${byPrefix.length} backups.`,
          `Give more of the id: ${byPrefix
            .slice(-3)
            .map((b) => b.manifest.id)
            .join(', ')}`,
        );
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
