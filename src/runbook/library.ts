import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../core/errors.js';
import { shippedDir } from '../core/assets.js';
import type { ActionRegistry } from '../actions/registry.js';
import { loadRunbookFile, type LoadedRunbook } from './loader.js';

/** runbooks/ sits at the package root, two levels above src/runbook and dist/runbook, one above .pgdr-test/ and dist/pgdr.mjs; else embedded. */
export const SHIPPED_RUNBOOKS_DIR = shippedDir('runbooks', import.meta.url, ['../../runbooks/', '../runbooks/']);

export interface RunbookEntry {
  id: string;
  file: string;
  loaded?: LoadedRunbook;
  error?: string;
}

export function shippedRunbookFiles(dir = SHIPPED_RUNBOOKS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function listRunbooks(registry: ActionRegistry, dir = SHIPPED_RUNBOOKS_DIR): RunbookEntry[] {
  return shippedRunbookFiles(dir).map((file) => {
    const id = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    try {
      return { id, file, loaded: loadRunbookFile(file, registry) };
    } catch (error) {
      return { id, file, error: errorMessage(error) };
    }
  });
}

/** A path to a YAML file, or the id of a shipped runbook. */
export function resolveRunbookFile(nameOrPath: string, dir = SHIPPED_RUNBOOKS_DIR): string {
  if (/\.ya?ml$/.test(nameOrPath) || nameOrPath.includes('/')) return nameOrPath;
  for (const ext of ['yaml', 'yml']) {
    const file = join(dir, `${nameOrPath}.${ext}`);
    if (existsSync(file)) return file;
  }
  const known = shippedRunbookFiles(dir).map((f) => f.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
  throw new UsageError(
    `No runbook called '${nameOrPath}'.`,
    `Shipped runbooks: ${known.join(', ')}; or pass a path to a .yaml file.`,
  );
}

export function loadRunbook(nameOrPath: string, registry: ActionRegistry): LoadedRunbook {
  return loadRunbookFile(resolveRunbookFile(nameOrPath), registry);
}
