import { PgdrError } from '../../core/errors.js';
import { printable } from '../../core/printable.js';
import type { Repository } from '../../storage/index.js';
import { backupTime } from '../backup-id.js';
import {
  checkExportManifest,
  EXPORT_ID,
  EXPORT_MANIFEST,
  EXPORT_NAME,
  MAX_EXPORT_MANIFEST_BYTES,
  type ExportManifest,
} from './export-manifest.js';
import { exportDir } from './take-export.js';

export interface ExportCatalog {
  /** Oldest first. */
  exports: ExportManifest[];
  warnings: string[];
}

/** Every complete export in the repository, checked like backups: a bad one is named and left alone. */
export async function listExports(repo: Repository): Promise<ExportCatalog> {
  const catalog: ExportCatalog = { exports: [], warnings: [] };
  const stored = new Map((await repo.list('exports/')).map((o) => [o.key, o.bytes]));
  for (const name of await repo.listDirs('exports/')) {
    if (!EXPORT_NAME.test(name)) {
      catalog.warnings.push(`Skipped exports/${printable(name)}: not an export name; pgdr leaves it in place.`);
      continue;
    }
    for (const id of await repo.listDirs(`exports/${name}/`)) {
      const dir = exportDir(name, id);
      if (!EXPORT_ID.test(id) || !stored.has(`${dir}${EXPORT_MANIFEST}`)) continue;
      let checked;
      try {
        const bytes = await repo.readFile(`${dir}${EXPORT_MANIFEST}`, { maxBytes: MAX_EXPORT_MANIFEST_BYTES });
        checked = checkExportManifest(bytes, name, id);
      } catch (error) {
        checked = { ok: false as const, problem: error instanceof PgdrError ? error.message : String(error) };
      }
      const missing = checked.ok
        ? checked.value.tables.find((t) => stored.get(`${dir}${t.path}`) !== t.bytes)
        : undefined;
      if (!checked.ok || missing) {
        const why = checked.ok ? `its file ${missing!.path} is missing or has another size` : checked.problem;
        catalog.warnings.push(
          `Skipped export ${printable(`${name}/${id}`)}: ${printable(why)}; pgdr leaves it in place.`,
        );
        continue;
      }
      catalog.exports.push(checked.value);
    }
  }
  catalog.exports.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.name < b.name ? -1 : 1));
  return catalog;
}

export interface ExportPruneResult {
  removed: { name: string; id: string }[];
  locked: { name: string; id: string; until?: string }[];
}

/**
 * Keeps each configured export `keepWeeks` weeks (and always its newest); exports not in the config, and locked
 * ones, stay. A local export sealed by a lock that has run out is opened up before it is removed.
 */
export async function pruneExports(
  repo: Repository,
  keepWeeks: Record<string, number>,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<ExportPruneResult & { warnings: string[] }> {
  const now = options.now ?? new Date();
  const { exports, warnings } = await listExports(repo);
  const result: ExportPruneResult & { warnings: string[] } = { removed: [], locked: [], warnings };
  for (const [name, weeks] of Object.entries(keepWeeks)) {
    const own = exports.filter((e) => e.name === name);
    const cutoff = now.getTime() - weeks * 7 * 86_400_000;
    for (const e of own.slice(0, -1)) {
      if ((backupTime(e.id)?.getTime() ?? now.getTime()) >= cutoff) continue;
      const keys = [...e.tables.map((t) => t.path), EXPORT_MANIFEST].map((p) => `${exportDir(name, e.id)}${p}`);
      const states = await repo.lockStates(keys);
      const s3Until = [...states.values()].map((s) => s.until?.getTime() ?? Infinity);
      const localUntil = e.lock?.mode === 'local' ? Date.parse(e.lock.until) : 0;
      const until = Math.max(0, localUntil, ...(repo.tiers ? s3Until : []));
      if (until > now.getTime() || [...states.values()].some((s) => s.mode === 'immutable' && !e.lock)) {
        result.locked.push({
          name,
          id: e.id,
          ...(Number.isFinite(until) && until > 0 ? { until: new Date(until).toISOString() } : {}),
        });
        continue;
      }
      if (!options.dryRun) {
        try {
          await repo.unseal?.(keys);
          await repo.removePrefix(exportDir(name, e.id));
        } catch (error) {
          warnings.push(`Could not remove export ${name}/${e.id}: ${printable((error as Error).message)}`);
          continue;
        }
      }
      result.removed.push({ name, id: e.id });
    }
  }
  return result;
}
