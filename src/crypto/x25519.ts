import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

// DER prefixes of an X25519 PKCS#8 private key and SPKI public key; the raw 32 bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(der.length - 32);
}

export function generateX25519(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('x25519');
}

/** X25519(scalar, point); undefined for a low-order point (all-zero shared secret), which age must refuse. */
export function sharedSecret(privateKey: KeyObject, peerPublic: Uint8Array): Buffer | undefined {
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey: publicKeyFromRaw(peerPublic) });
  } catch {
    return undefined;
  }
  return secret.every((byte) => byte === 0) ? undefined : secret;
}

/** An identity ready for decryption: its key object and raw public key (part of the HKDF salt). */
export interface KeyObjectPair {
  privateKey: KeyObject;
  publicRaw: Buffer;
}

export function identityKeyPair(raw: Uint8Array): KeyObjectPair {
  const privateKey = privateKeyFromRaw(raw);
  return { privateKey, publicRaw: rawPublicKey(privateKey) };
}
