import type { BackupManifest } from '../backup/manifest.js';
import type { EncryptionOption } from '../backup/archive.js';
import { UsageError } from '../core/errors.js';
import { parseRecipient } from '../crypto/index.js';
import type { RestoreOptions } from './types.js';

/**
 * The safety snapshot holds the same kind of data as the backup it is taken instead of, so it is encrypted at least
 * as that one is: as configured, else to the backup's own recipients or with its passphrase. Never in plaintext
 * beside encrypted backups: without a way to encrypt it, the restore stops here, before any change.
 */
export function protecting(options: RestoreOptions, manifest: BackupManifest): EncryptionOption | undefined {
  if (options.safetyEncryption) return options.safetyEncryption;
  const encryption = manifest.encryption;
  if (!encryption) return undefined;
  if (encryption.recipients.length) return { recipients: encryption.recipients.map(parseRecipient) };
  if (options.keys?.passphrase) return { passphrase: options.keys.passphrase };
  throw new UsageError(
    `Backup ${manifest.id} is encrypted, and the safety snapshot of ${options.target.database} would not be.`,
    'Give the passphrase with --passphrase-env VAR (or encryption in pgdr.config.yaml), or skip the snapshot with --no-safety-snapshot.',
  );
}
