import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { hkdf } from './header.js';

export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const NONCE_SIZE = 16;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;

/** A KeyObject, so the cipher of each chunk does not import the raw key again. */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): KeyObject {
  return createSecretKey(hkdf(fileKey, nonce, 'payload'));
}

/** STREAM nonce: an 11-byte big-endian chunk counter, then 0x01 on the final chunk and 0x00 before it. */
function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Seals one chunk, appending ciphertext and tag to `out` (callers concatenate a batch once). */
export function sealChunk(key: KeyObject, counter: number, last: boolean, plaintext: Buffer[], out: Buffer[]): void {
  const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG_SIZE });
  for (const piece of plaintext) out.push(cipher.update(piece));
  cipher.final();
  out.push(cipher.getAuthTag());
}

/** Opens one chunk, appending its plaintext to `out` only once it authenticates; false when it does not. */
export function openChunk(
  key: KeyObject,
  counter: number,
  last: boolean,
  sealed: Buffer[],
  tag: Buffer,
  out: Buffer[],
): boolean {
  const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG_SIZE });
  decipher.setAuthTag(tag);
  const plaintext = sealed.map((piece) => decipher.update(piece));
  try {
    decipher.final();
  } catch {
    return false;
  }
  out.push(...plaintext);
  return true;
}

/** Pushes a batch as one buffer: fewer, larger writes downstream. */
export function pushBatch(stream: { push(chunk: Buffer): boolean }, batch: Buffer[]): void {
  if (batch.length === 1) stream.push(batch[0]!);
  else if (batch.length > 1) stream.push(Buffer.concat(batch));
}

/** A FIFO of buffers that hands out exact byte counts without copying when it can. */
export class ByteQueue {
  private pieces: Buffer[] = [];
  length = 0;

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.length += piece.length;
  }

  take(count: number): Buffer[] {
    const out: Buffer[] = [];
    let wanted = Math.min(count, this.length);
    this.length -= wanted;
    while (wanted > 0) {
      const head = this.pieces[0]!;
      if (head.length <= wanted) {
        out.push(head);
        this.pieces.shift();
        wanted -= head.length;
      } else {
        out.push(head.subarray(0, wanted));
        this.pieces[0] = head.subarray(wanted);
        wanted = 0;
      }
    }
    return out;
  }

  takeContiguous(count: number): Buffer {
    const pieces = this.take(count);
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }
}
