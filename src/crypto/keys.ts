import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { bech32Decode, bech32Encode } from './bech32.js';
import { generateX25519, privateKeyFromRaw, rawPrivateKey, rawPublicKey } from './x25519.js';

const RECIPIENT_HRP = 'age';
const IDENTITY_HRP = 'AGE-SECRET-KEY-';

/** Validates an `age1…` X25519 recipient and returns it in canonical (lowercase) form. */
export function parseRecipient(text: string): string {
  const trimmed = text.trim();
  const decoded = bech32Decode(trimmed);
  if (decoded?.hrp === RECIPIENT_HRP && decoded.data.length === 32) return bech32Encode(RECIPIENT_HRP, decoded.data);
  // Never echo a secret key that was pasted where a recipient belongs.
  const shown = /^AGE-(SECRET|PLUGIN)/i.test(trimmed) ? 'A secret key' : `"${shorten(trimmed)}"`;
  throw new UsageError(`${shown} is not an age X25519 recipient.`, recipientHint(trimmed));
}

export function recipientBytes(recipient: string): Buffer {
  const decoded = bech32Decode(parseRecipient(recipient));
  return decoded!.data;
}

/** Returns the raw 32-byte X25519 scalar of an `AGE-SECRET-KEY-1…` identity. */
export function identityBytes(identity: string): Buffer {
  const decoded = bech32Decode(identity.trim());
  if (decoded?.hrp === IDENTITY_HRP.toLowerCase() && decoded.data.length === 32) {
    registerSecret(identity.trim());
    return decoded.data;
  }
  throw new UsageError(
    'An identity is not an age X25519 secret key.',
    identity.trim().startsWith('AGE-PLUGIN-') || identity.trim().startsWith('AGE-SECRET-KEY-PQ-')
      ? 'pgdr supports native X25519 identities (AGE-SECRET-KEY-1…); plugin and post-quantum keys need the age CLI.'
      : 'An identity line looks like AGE-SECRET-KEY-1… (create one with `age-keygen -o key.txt`).',
  );
}

/** The identities in an age identity file's text; `#` comments and blank lines are skipped. */
export function parseIdentities(fileText: string, source = 'the identity file'): string[] {
  const identities: string[] = [];
  const lines = fileText.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    registerSecret(line);
    try {
      identityBytes(line);
    } catch (error) {
      const hint = error instanceof UsageError ? error.hint : undefined;
      throw new UsageError(`Line ${index + 1} of ${source} is not an age identity.`, hint);
    }
    identities.push(line.toUpperCase());
    registerSecret(line.toUpperCase());
  }
  if (identities.length === 0) {
    throw new UsageError(
      `${capitalize(source)} holds no identity.`,
      'Point to a file made by `age-keygen` (lines starting with AGE-SECRET-KEY-1).',
    );
  }
  return identities;
}

export function recipientOf(identity: string): string {
  const key = privateKeyFromRaw(identityBytes(identity));
  return bech32Encode(RECIPIENT_HRP, rawPublicKey(key));
}

export function generateIdentity(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateX25519();
  const identity = bech32Encode(IDENTITY_HRP, rawPrivateKey(privateKey));
  registerSecret(identity);
  return { identity, recipient: bech32Encode(RECIPIENT_HRP, rawPublicKey(publicKey)) };
}

export async function readIdentityFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable by this user'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? 'unknown error'})`;
    throw new UsageError(
      `The identity file ${path} ${why}.`,
      'Pass the file written by `age-keygen` that matches the backup recipients.',
    );
  }
  return parseIdentities(text, `the identity file ${path}`);
}

function recipientHint(text: string): string {
  if (text.startsWith('ssh-')) return 'SSH keys are not supported; use an age recipient (age1…) made by `age-keygen`.';
  if (/^AGE-(SECRET|PLUGIN)/i.test(text))
    return 'That is a secret identity, not a recipient: use the public key it prints (`age-keygen -y key.txt`).';
  if (/^age1(pq|tag)/i.test(text) || /^age1[a-z0-9]+1/.test(text)) {
    return 'pgdr supports native X25519 recipients (age1… with 58 characters); plugin and post-quantum recipients need the age CLI.';
  }
  return 'A recipient looks like age1… (58 characters); `age-keygen -y key.txt` prints the one for a key file.';
}

function shorten(text: string): string {
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
