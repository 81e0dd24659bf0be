import type { OperationContext } from '../core/context.js';
import type { BackupManifest } from '../backup/manifest.js';
import type { ArchiveSource } from './archive-source.js';

const announced = new WeakSet<ArchiveSource>();

/**
 * Waits until the archive has passed its checks (every stored byte against the manifest's sha256, the key, a whole
 * staged copy), says so once, and tells whoever follows the restore's stages.
 */
export async function passesChecks(
  archive: ArchiveSource,
  manifest: BackupManifest,
  ctx: OperationContext,
): Promise<void> {
  await archive.checked;
  if (announced.has(archive)) return;
  announced.add(archive);
  const files = manifest.files.length + (manifest.extras?.length ?? 0);
  ctx.log.info(`Backup checked: the sha256 of ${files} file(s) matches the manifest.`);
  ctx.stage?.('checked');
}

/**
 * Runs `work` (a restore into a database it created) while the archive is still being checked; a failed check
 * stops the work, and its verdict is the error (the clearer one when both fail).
 */
export async function whileChecked(
  archive: ArchiveSource,
  manifest: BackupManifest,
  work: (ctx: OperationContext) => Promise<unknown>,
  ctx: OperationContext,
): Promise<void> {
  const stop = new AbortController();
  const inner: OperationContext = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) };
  const checked = passesChecks(archive, manifest, ctx).catch((error: unknown) => {
    stop.abort();
    throw error;
  });
  const [check, done] = await Promise.allSettled([checked, work(inner)]);
  if (check.status === 'rejected') throw check.reason;
  if (done.status === 'rejected') throw done.reason;
}
