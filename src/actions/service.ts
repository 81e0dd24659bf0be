import { PgdrError } from '../core/errors.js';
import type { ActionContext, ActionOutputs } from './registry.js';

export class ServiceUnavailable extends PgdrError {}

type ServiceFn = (options: Record<string, unknown>, ctx: ActionContext) => Promise<unknown>;

/**
 * Calls a function of src/backup or src/restore. The specifier is a variable so this compiles before those
 * modules exist; at run time a missing module or function fails the step with a clear message.
 */
export async function callService(module: 'backup' | 'restore', fn: string, options: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  const specifier = `../${module}/index.js`;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new ServiceUnavailable(`The ${module} service (src/${module}/index.ts) could not be loaded: ${(error as Error).message}`, {
      hint: `This build of pgdr has no ${module} support yet; do this step by hand and mark it done on resume.`,
    });
  }
  const target = loaded[fn];
  if (typeof target !== 'function') {
    throw new ServiceUnavailable(`src/${module}/index.ts does not export ${fn}().`, { hint: 'The action and the service disagree; report this.' });
  }
  return await (target as ServiceFn)(options, ctx);
}

/** Manifests become the outputs runbooks use: backupId, recoveryPoint, rowCounts. */
export function backupOutputs(result: unknown): ActionOutputs {
  if (!result || typeof result !== 'object') return {};
  const r = result as Record<string, unknown>;
  const manifest = (r.manifest && typeof r.manifest === 'object' ? r.manifest : r) as Record<string, unknown>;
  return {
    ...r,
    backupId: r.backupId ?? manifest.id,
    recoveryPoint: r.recoveryPoint ?? manifest.snapshotTime,
    rowCounts: r.rowCounts ?? manifest.rowCounts,
    database: r.database ?? manifest.database,
    bytes: r.bytes ?? manifest.bytes,
  };
}
