import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { decodeBase64, encodeBase64, hkdf, MalformedHeader, type Stanza } from './header.js';
import { recipientBytes } from './keys.js';
import { generateX25519, rawPublicKey, sharedSecret, type KeyObjectPair } from './x25519.js';

export const FILE_KEY_LENGTH = 16;
export const DEFAULT_WORK_FACTOR = 18;
export const MAX_WORK_FACTOR = 22;
const X25519_INFO = 'age-encryption.org/v1/X25519';
const SCRYPT_SALT_LABEL = 'age-encryption.org/v1/scrypt';
const ZERO_NONCE = Buffer.alloc(12);

function wrapKey(key: Buffer, fileKey: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
}

/** The file key, or undefined when the body does not open with this key. */
function unwrapKey(key: Buffer, body: Buffer): Buffer | undefined {
  if (body.length !== FILE_KEY_LENGTH + 16) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  decipher.setAuthTag(body.subarray(FILE_KEY_LENGTH));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, FILE_KEY_LENGTH)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function x25519Stanza(recipient: string, fileKey: Uint8Array): Stanza {
  const theirs = recipientBytes(recipient);
  const ephemeral = generateX25519();
  const share = rawPublicKey(ephemeral.publicKey);
  const secret = sharedSecret(ephemeral.privateKey, theirs);
  if (!secret) throw new Error('X25519 produced an all-zero shared secret');
  const key = hkdf(secret, Buffer.concat([share, theirs]), X25519_INFO);
  return { args: ['X25519', encodeBase64(share)], body: wrapKey(key, fileKey) };
}

/** Opens an X25519 stanza with one identity: the file key, or undefined when it is not addressed to it. */
export function openX25519Stanza(stanza: Stanza, identity: KeyObjectPair): Buffer | undefined {
  const share = stanza.args.length === 2 ? decodeBase64(stanza.args[1]!) : undefined;
  if (share?.length !== 32 || stanza.body.length !== FILE_KEY_LENGTH + 16)
    throw new MalformedHeader('invalid X25519 stanza');
  const secret = sharedSecret(identity.privateKey, share);
  if (!secret) throw new MalformedHeader('X25519 share is a low-order point');
  const key = hkdf(secret, Buffer.concat([share, identity.publicRaw]), X25519_INFO);
  return unwrapKey(key, stanza.body);
}

function scryptKey(passphrase: string, salt: Buffer, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor;
  // scrypt needs 128·N·r bytes; allow that plus slack, as age itself does.
  const maxmem = 128 * N * 8 * 2 + 16 * 1024 * 1024;
  const fullSalt = Buffer.concat([Buffer.from(SCRYPT_SALT_LABEL, 'latin1'), salt]);
  return new Promise((resolve, reject) => {
    scrypt(passphrase, fullSalt, 32, { N, r: 8, p: 1, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function scryptStanza(
  passphrase: string,
  fileKey: Uint8Array,
  workFactor = DEFAULT_WORK_FACTOR,
): Promise<Stanza> {
  const salt = randomBytes(16);
  const key = await scryptKey(passphrase, salt, workFactor);
  return { args: ['scrypt', encodeBase64(salt), String(workFactor)], body: wrapKey(key, fileKey) };
}

export type ScryptResult =
  { fileKey: Buffer } | { problem: 'malformed' | 'too-expensive' | 'wrong-passphrase'; workFactor?: number };

export async function openScryptStanza(stanza: Stanza, passphrase: string): Promise<ScryptResult> {
  const [, saltText, factorText] = stanza.args;
  if (stanza.args.length !== 3 || !saltText || !factorText || !/^[1-9][0-9]*$/.test(factorText))
    return { problem: 'malformed' };
  const salt = decodeBase64(saltText);
  const workFactor = Number(factorText);
  if (salt.length !== 16 || stanza.body.length !== FILE_KEY_LENGTH + 16) return { problem: 'malformed' };
  if (workFactor > MAX_WORK_FACTOR) return { problem: 'too-expensive', workFactor };
  const fileKey = unwrapKey(await scryptKey(passphrase, salt, workFactor), stanza.body);
  return fileKey ? { fileKey } : { problem: 'wrong-passphrase' };
}
