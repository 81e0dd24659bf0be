import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Transform } from 'node:stream';
import { DecryptionFailed, UsageError } from '../core/errors.js';
import { knownSecrets } from '../core/secrets.js';
import { createDecryptStream, createEncryptStream, decryptBuffer, encryptBuffer, generateIdentity } from './index.js';

const KIB = 1024;
const alice = generateIdentity();
const bob = generateIdentity();

/** Feeds `input` in pieces of `piece` bytes; returns everything the stream emitted and its error, if any. */
async function feed(stream: Transform, input: Buffer, piece: number): Promise<{ output: Buffer; error?: unknown }> {
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const finished = new Promise<unknown>((resolve) => {
    stream.once('end', () => resolve(undefined));
    stream.once('error', resolve);
  });
  for (let offset = 0; offset < input.length && !stream.destroyed; offset += piece) {
    if (!stream.write(input.subarray(offset, offset + piece)))
      await Promise.race([new Promise((r) => stream.once('drain', r)), finished]);
  }
  if (!stream.destroyed) stream.end();
  const error = await finished;
  return { output: Buffer.concat(out), error };
}

/** Where the payload (nonce, then chunks) starts: after `--- <43 base64 chars>\n`. */
function payloadStart(file: Buffer): number {
  return file.indexOf('\n---') + 4 + 45;
}

async function decryptError(
  data: Buffer,
  options: Parameters<typeof createDecryptStream>[0] = { identities: [alice.identity] },
) {
  const { output, error } = await feed(createDecryptStream(options), data, 64 * KIB);
  return { output, error: error as DecryptionFailed };
}

describe('age round trip', () => {
  it.each([0, 1, 65535, 65536, 65537, 3 * 1024 * KIB])('encrypts and decrypts %i bytes', async (size) => {
    // Given plaintext of a size around the 64 KiB chunk boundaries
    const plaintext = randomBytes(size);
    // When it is encrypted to a recipient and decrypted with its identity
    const encrypted = await encryptBuffer(plaintext, { recipients: [alice.recipient] });
    const decrypted = await decryptBuffer(encrypted, { identities: [alice.identity] });
    // Then the plaintext comes back and the payload has one 16-byte tag per 64 KiB chunk
    expect(decrypted.equals(plaintext)).toBe(true);
    const chunks = Math.max(1, Math.ceil(size / (64 * KIB)));
    expect(encrypted.length - payloadStart(encrypted)).toBe(16 + size + 16 * chunks);
  });

  it('handles input and ciphertext split at arbitrary points', async () => {
    const plaintext = randomBytes(200 * KIB + 7);
    const encrypted = (await feed(createEncryptStream({ recipients: [alice.recipient] }), plaintext, 1000)).output;
    const odd = await feed(createDecryptStream({ identities: [alice.identity] }), encrypted, 7777);
    expect(odd.error).toBeUndefined();
    expect(odd.output.equals(plaintext)).toBe(true);
    const byteByByte = await feed(createDecryptStream({ identities: [alice.identity] }), encrypted.subarray(0, 300), 1);
    expect((byteByByte.error as Error).message).toMatch(/truncated/);
  });

  it('round-trips any length fed in any piece sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 200 * KIB }),
        fc.integer({ min: 1, max: 150 * KIB }),
        fc.integer({ min: 1, max: 150 * KIB }),
        async (size, inPiece, outPiece) => {
          const plaintext = randomBytes(size);
          const encrypted = await feed(createEncryptStream({ recipients: [alice.recipient] }), plaintext, inPiece);
          const decrypted = await feed(
            createDecryptStream({ identities: [alice.identity] }),
            encrypted.output,
            outPiece,
          );
          expect(decrypted.error).toBeUndefined();
          expect(decrypted.output.equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('encrypts to several recipients, each of whom can decrypt', async () => {
    const carol = generateIdentity();
    const plaintext = randomBytes(1000);
    const encrypted = await encryptBuffer(plaintext, { recipients: [alice.recipient, bob.recipient, carol.recipient] });
    for (const who of [alice, bob, carol]) {
      expect((await decryptBuffer(encrypted, { identities: [who.identity] })).equals(plaintext)).toBe(true);
    }
    expect(encrypted.toString('latin1').match(/^-> X25519 /gm)).toHaveLength(3);
  });

  it('uses a passphrase with scrypt and registers it as a secret', async () => {
    const plaintext = randomBytes(70 * KIB);
    const encrypted = await encryptBuffer(plaintext, { passphrase: 'correct horse battery', workFactor: 10 });
    expect(encrypted.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 10\n/);
    expect((await decryptBuffer(encrypted, { passphrase: 'correct horse battery' })).equals(plaintext)).toBe(true);
    expect(knownSecrets().has('correct horse battery')).toBe(true);
    expect(knownSecrets().has(alice.identity)).toBe(true);

    const wrong = await decryptError(encrypted, { passphrase: 'incorrect horse' });
    expect(wrong.error).toBeInstanceOf(DecryptionFailed);
    expect(wrong.error.message).toBe('Wrong passphrase.');
    expect(wrong.output.length).toBe(0);

    const withKey = await decryptError(encrypted);
    expect(withKey.error.message).toMatch(/encrypted with a passphrase/);
  });

  it('writes the default work factor 18 for passphrases', async () => {
    const encrypted = await encryptBuffer(Buffer.from('x'), { passphrase: 'default factor' });
    expect(encrypted.toString('latin1').split('\n')[1]).toMatch(/^-> scrypt \S+ 18$/);
  });
});

describe('age decryption failures', () => {
  const plaintext = randomBytes(200 * KIB);
  const encrypted = encryptBuffer(plaintext, { recipients: [alice.recipient] });
  const headerEnd = async () => payloadStart(await encrypted);

  it('refuses an identity the file was not encrypted to, naming the recipients it knows', async () => {
    const { error, output } = await decryptError(await encrypted, {
      identities: [bob.identity],
      recipients: [alice.recipient],
    });
    expect(error).toBeInstanceOf(DecryptionFailed);
    expect(error.hint).toContain(`does not match any recipient this backup was encrypted to: ${alice.recipient}`);
    expect(output.length).toBe(0);
    const anonymous = await decryptError(await encrypted, { identities: [bob.identity] });
    expect(anonymous.error.hint).toContain('1 X25519 recipient');
    const withPassphrase = await decryptError(await encrypted, { passphrase: 'whatever' });
    expect(withPassphrase.error.message).toMatch(/not with a passphrase/);
  });

  it('never emits plaintext of a modified chunk', async () => {
    // Given a byte flipped in the second 64 KiB chunk
    const tampered = Buffer.from(await encrypted);
    tampered[(await headerEnd()) + 16 + 65552 + 100]! ^= 1;
    // When it is decrypted
    const { error, output } = await decryptError(tampered);
    // Then only the intact first chunk comes out, and the error says what happened
    expect(error).toBeInstanceOf(DecryptionFailed);
    expect(error.message).toBe('The encrypted file is truncated or was modified.');
    expect(output.equals(plaintext.subarray(0, 64 * KIB))).toBe(true);
  });

  it('detects a modified header, nonce or final tag', async () => {
    const file = await encrypted;
    const end = await headerEnd();
    for (const [where, message] of [
      [30, /No identity matches/],
      [end - 10, /header/],
      [end + 3, /truncated or was modified/],
      [file.length - 1, /truncated or was modified/],
    ] as const) {
      const tampered = Buffer.from(file);
      tampered[where]! ^= 0x04;
      const { error } = await decryptError(tampered);
      expect(error, `byte ${where}`).toBeInstanceOf(DecryptionFailed);
      expect(error.message).toMatch(message);
    }
  });

  it('detects truncation anywhere, including at a chunk boundary, and trailing garbage', async () => {
    const file = await encrypted;
    const end = await headerEnd();
    const cuts = [10, end - 5, end + 8, end + 16 + 65552, end + 16 + 2 * 65552, file.length - 1];
    for (const cut of cuts) {
      const { error } = await decryptError(file.subarray(0, cut));
      expect(error, `cut at ${cut}`).toBeInstanceOf(DecryptionFailed);
      expect(error.message).toBe('The encrypted file is truncated or was modified.');
    }
    const longer = await decryptError(Buffer.concat([file, Buffer.from([0])]));
    expect(longer.error.message).toBe('The encrypted file is truncated or was modified.');
  });

  it('rejects an empty final chunk after full ones', async () => {
    const exact = await encryptBuffer(randomBytes(64 * KIB), { recipients: [alice.recipient] });
    const { error } = await decryptError(Buffer.concat([exact, randomBytes(16)]));
    expect(error.message).toBe('The encrypted file is truncated or was modified.');
  });

  it('aborts on an X25519 share that is a low-order point', async () => {
    const file = (await encrypted).toString('latin1');
    const lowOrder = file.replace(
      /^-> X25519 \S+$/m,
      `-> X25519 ${Buffer.alloc(32).toString('base64').replace(/=+$/, '')}`,
    );
    const { error } = await decryptError(Buffer.from(lowOrder, 'latin1'));
    expect(error.message).toMatch(/malformed \(X25519 share is a low-order point\)/);
  });

  it('says so when the input is not an age file at all', async () => {
    for (const input of [
      Buffer.from('PGDMP\u0001\u000e\u0000'),
      Buffer.alloc(0),
      Buffer.from('-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n'),
    ]) {
      const { error } = await decryptError(input);
      expect(error).toBeInstanceOf(DecryptionFailed);
      expect(error.message).toMatch(/not age-encrypted|ASCII-armored/);
    }
  });
});

describe('age stream limits', () => {
  it('stops accepting input when nobody reads the output', async () => {
    const stream = createEncryptStream({ recipients: [alice.recipient] });
    const piece = randomBytes(64 * KIB);
    let accepted = 0;
    while (stream.write(piece) && accepted < 1000) accepted++;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Both sides buffer about two chunks, so a few writes fill it.
    expect(accepted).toBeLessThan(8);
    expect(stream.readableLength + stream.writableLength).toBeLessThan(1024 * KIB);
    stream.destroy();
  });

  it('validates options up front', () => {
    expect(() => createEncryptStream({ recipients: [] })).toThrow(UsageError);
    expect(() => createEncryptStream({ recipients: ['age1notakey'] })).toThrow(UsageError);
    expect(() => createEncryptStream({ passphrase: '' })).toThrow(UsageError);
    expect(() => createEncryptStream({ passphrase: 'x', workFactor: 30 })).toThrow(UsageError);
    expect(() => createDecryptStream({ identities: [] })).toThrow(UsageError);
    expect(() => createDecryptStream({ identities: [alice.recipient] })).toThrow(UsageError);
  });
});
