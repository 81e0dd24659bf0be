import { once } from 'node:events';
import { errorMessage } from '../core/errors.js';
import type { Repository } from '../storage/index.js';
import type { CatalogEntry } from '../backup/index.js';
import { openStored } from '../backup/index.js';
import { createDecryptStream, parseRecipient, readIdentityFile, recipientOf } from '../crypto/index.js';
import type { PgdrConfig } from '../config/schema.js';
import { critical, ok, type Finding } from './finding.js';

/** Recipients parse; the configured identity opens the newest encrypted backup (its first chunk, not the whole file). */
export async function checkEncryption(
  config: PgdrConfig,
  repo: Repository | undefined,
  newest: CatalogEntry | undefined,
): Promise<Finding[]> {
  const enc = config.encryption;
  if (!enc) return [];
  const findings: Finding[] = [];
  for (const r of enc.recipients) {
    try {
      parseRecipient(r);
    } catch (error) {
      findings.push(
        critical(
          'encryption.recipients',
          errorMessage(error),
          'Fix encryption.recipients in pgdr.config.yaml (age-keygen -y key.txt prints a recipient); until then backups cannot be encrypted.',
        ),
      );
    }
  }
  if (enc.recipients.length && !findings.length)
    findings.push(ok('encryption.recipients', `${enc.recipients.length} recipient(s) parse`));
  if (!enc.identityFile) return findings;
  let identities: string[];
  try {
    identities = await readIdentityFile(enc.identityFile);
  } catch (error) {
    return [
      ...findings,
      critical(
        'encryption.identity',
        errorMessage(error),
        'Point encryption.identityFile at your age identity, readable by this user; without it encrypted backups cannot be restored.',
      ),
    ];
  }
  const manifest = newest?.manifest;
  if (!repo || !manifest?.encryption || !manifest.files[0])
    return [...findings, ok('encryption.identity', `identity file ${enc.identityFile} reads`)];
  const mine = identities.map((i) => recipientOf(i));
  if (manifest.encryption.recipients.length && !manifest.encryption.recipients.some((r) => mine.includes(r))) {
    return [
      ...findings,
      critical(
        'encryption.identity',
        `the identity in ${enc.identityFile} is not among the recipients of the newest backup ${manifest.id} (${manifest.encryption.recipients.join(', ')})`,
        'Use the identity matching one of those recipients; keep an offline copy of every key backups are encrypted to.',
        manifest.id,
      ),
    ];
  }
  try {
    await firstPlaintext(repo, newest!, identities);
    return [...findings, ok('encryption.identity', `the identity opens the newest backup ${manifest.id}`, manifest.id)];
  } catch (error) {
    return [
      ...findings,
      critical(
        'encryption.identity',
        `could not decrypt the newest backup ${manifest.id}: ${errorMessage(error)}`,
        'Check encryption.identityFile holds the key the backups were encrypted to; test a full restore with pgdr backup verify latest --restore-test.',
        manifest.id,
      ),
    ];
  }
}

async function firstPlaintext(repo: Repository, entry: CatalogEntry, identities: string[]): Promise<void> {
  const stored = await openStored(repo, entry.manifest, entry.manifest.files[0]!);
  const decrypt = createDecryptStream({ identities });
  const failed = new Promise<never>((_, reject) => {
    stored.once('error', reject);
    decrypt.once('error', reject);
  });
  stored.pipe(decrypt);
  try {
    await Promise.race([once(decrypt, 'data'), once(decrypt, 'end'), failed]);
  } finally {
    stored.unpipe(decrypt);
    stored.destroy();
    decrypt.destroy();
  }
}
