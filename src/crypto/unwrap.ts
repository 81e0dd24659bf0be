import { DecryptionFailed } from '../core/errors.js';
import type { Stanza } from './header.js';
import { MAX_WORK_FACTOR, openScryptStanza, openX25519Stanza } from './stanzas.js';
import type { KeyObjectPair } from './x25519.js';

export type Credentials = { identities: KeyObjectPair[] } | { passphrase: string };

/** Finds the file key in the header's stanzas, or says in the operator's words why it cannot. */
export async function unwrapFileKey(
  stanzas: Stanza[],
  credentials: Credentials,
  recipients?: string[],
): Promise<Buffer> {
  const scrypt = stanzas.find((stanza) => stanza.args[0] === 'scrypt');
  if (scrypt && stanzas.length > 1) {
    throw new DecryptionFailed('The encrypted file mixes a passphrase with other recipients, which age forbids.', {
      hint: 'The header was tampered with or written by a broken tool; use another copy of the backup.',
    });
  }
  if ('passphrase' in credentials) {
    if (!scrypt) {
      throw new DecryptionFailed('This file was encrypted to age recipients, not with a passphrase.', {
        hint: `Decrypt it with the identity file of ${describeRecipients(stanzas, recipients)}.`,
      });
    }
    const result = await openScryptStanza(scrypt, credentials.passphrase);
    if ('fileKey' in result) return result.fileKey;
    if (result.problem === 'wrong-passphrase') {
      throw new DecryptionFailed('Wrong passphrase.', {
        hint: 'The passphrase does not open this file: check the value (and the env var it comes from) used when the backup was taken.',
      });
    }
    if (result.problem === 'too-expensive') {
      throw new DecryptionFailed(
        `The passphrase work factor 2^${result.workFactor} is above the limit of 2^${MAX_WORK_FACTOR}.`,
        {
          hint: 'Decrypt it with the age CLI (`age -d`) if you trust where it came from.',
        },
      );
    }
    throw new DecryptionFailed('The passphrase stanza of the encrypted file is malformed.', {
      hint: 'Use another copy of the backup.',
    });
  }
  if (scrypt) {
    throw new DecryptionFailed('This file was encrypted with a passphrase, not to an age recipient.', {
      hint: 'Provide the passphrase it was encrypted with instead of an identity file.',
    });
  }
  for (const stanza of stanzas) {
    if (stanza.args[0] !== 'X25519') continue;
    for (const identity of credentials.identities) {
      const fileKey = openX25519Stanza(stanza, identity);
      if (fileKey) return fileKey;
    }
  }
  throw new DecryptionFailed('No identity matches this encrypted file.', {
    hint: `The identity file does not match any recipient this backup was encrypted to: ${describeRecipients(stanzas, recipients)}. Use the key file whose public key (\`age-keygen -y key.txt\`) is one of them.`,
  });
}

function describeRecipients(stanzas: Stanza[], recipients: string[] | undefined): string {
  if (recipients && recipients.length > 0) return recipients.join(', ');
  // age headers are anonymous: only the manifest can name the recipients.
  const x25519 = stanzas.filter((stanza) => stanza.args[0] === 'X25519').length;
  const other = stanzas.length - x25519;
  const parts = [
    x25519 ? `${x25519} X25519 recipient${x25519 === 1 ? '' : 's'}` : '',
    other ? `${other} of other types (plugins)` : '',
  ];
  return `${parts.filter(Boolean).join(' and ')} (the file does not record which; the backup manifest does)`;
}
