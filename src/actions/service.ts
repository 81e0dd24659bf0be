import { UsageError } from '../core/errors.js';
import type { BackupManifest } from '../backup/manifest.js';
import { manifestTables } from '../backup/manifest-tables.js';
import { openRepository, type Repository } from '../storage/index.js';
import type { ActionContext, ActionOutputs } from './registry.js';

export class NoRepository extends UsageError {}

/** The step's `with.repo`, else the run's repository (--repo, PGDR_REPO, repository.url in the config). */
export function stepRepository(ctx: ActionContext, repo: string | undefined): Repository {
  if (repo) return ctx.services.openRepository?.(repo) ?? openRepository(repo);
  if (ctx.services.repository) return ctx.services.repository;
  throw new NoRepository(`Step ${ctx.stepId} needs a backup repository and this run has none.`, {
    hint: 'Pass --repo DIR|s3://bucket/prefix, set PGDR_REPO, or set repository.url in pgdr.config.yaml.',
  });
}

/** A manifest as the outputs runbooks use: backupId, recoveryPoint (the snapshot time), rowCounts, database, bytes. */
export function backupOutputs(manifest: BackupManifest, extra: ActionOutputs = {}): ActionOutputs {
  return {
    backupId: manifest.id,
    recoveryPoint: manifest.snapshotTime,
    rowCounts: manifestTables(manifest),
    database: manifest.database,
    bytes: manifest.bytes,
    // The archive's checksum (one file; a directory-format backup has one per file, listed in SHA256SUMS).
    sha256: manifest.files.length === 1 ? manifest.files[0]!.sha256 : `${manifest.files.length} files, see SHA256SUMS`,
    encryption: manifest.encryption
      ? manifest.encryption.passphrase
        ? 'age, passphrase'
        : `age, ${manifest.encryption.recipients.length} recipient(s)`
      : 'none',
    kind: manifest.kind,
    encrypted: Boolean(manifest.encryption),
    ...extra,
  };
}
