import { randomBytes, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { encodeHeader, type Stanza } from './header.js';
import { parseRecipient } from './keys.js';
import { ByteQueue, CHUNK_SIZE, NONCE_SIZE, payloadKey, pushBatch, sealChunk } from './payload.js';
import { DEFAULT_WORK_FACTOR, FILE_KEY_LENGTH, MAX_WORK_FACTOR, scryptStanza, x25519Stanza } from './stanzas.js';

export type EncryptOptions = { recipients: string[] } | { passphrase: string; workFactor?: number };

/**
 * Binary age v1 encryption as a Transform: header, nonce, then 64 KiB ChaCha20-Poly1305 chunks. The last
 * full chunk is held back until more input (or the end) shows whether it is the final one.
 */
export function createEncryptStream(options: EncryptOptions): Transform {
  const fileKey = randomBytes(FILE_KEY_LENGTH);
  const stanzas = prepareStanzas(options, fileKey);
  const queue = new ByteQueue();
  let key: KeyObject | undefined;
  let counter = 0;

  const start = async (stream: Transform): Promise<KeyObject> => {
    const nonce = randomBytes(NONCE_SIZE);
    stream.push(Buffer.concat([encodeHeader(await stanzas, fileKey), nonce]));
    return payloadKey(fileKey, nonce);
  };

  return new Transform({
    readableHighWaterMark: CHUNK_SIZE * 2,
    writableHighWaterMark: CHUNK_SIZE * 2,
    transform(this: Transform, chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback) {
      if (!key) {
        start(this).then((k) => {
          key = k;
          this._transform(chunk, encoding, callback);
        }, callback);
        return;
      }
      queue.push(chunk);
      const batch: Buffer[] = [];
      while (queue.length > CHUNK_SIZE) sealChunk(key, counter++, false, queue.take(CHUNK_SIZE), batch);
      pushBatch(this, batch);
      callback();
    },
    flush(this: Transform, callback: TransformCallback) {
      const finish = (k: KeyObject) => {
        const batch: Buffer[] = [];
        sealChunk(k, counter++, true, queue.take(CHUNK_SIZE), batch);
        pushBatch(this, batch);
        callback();
      };
      if (key) finish(key);
      else start(this).then(finish, callback);
    },
  });
}

function prepareStanzas(options: EncryptOptions, fileKey: Buffer): Promise<Stanza[]> {
  if ('passphrase' in options) {
    if (!options.passphrase) throw new UsageError('The encryption passphrase is empty.', 'Set a non-empty passphrase.');
    registerSecret(options.passphrase);
    const workFactor = options.workFactor ?? DEFAULT_WORK_FACTOR;
    if (!Number.isInteger(workFactor) || workFactor < 1 || workFactor > MAX_WORK_FACTOR) {
      throw new UsageError(
        `The scrypt work factor ${workFactor} is out of range.`,
        `Use a whole number from 1 to ${MAX_WORK_FACTOR}.`,
      );
    }
    const stanza = scryptStanza(options.passphrase, fileKey, workFactor).then((s) => [s]);
    // Awaited when the first byte arrives; until then a failure must not count as unhandled.
    stanza.catch(() => {});
    return stanza;
  }
  if (options.recipients.length === 0) {
    throw new UsageError(
      'No recipient to encrypt to.',
      'Give at least one age recipient (age1…), e.g. from `age-keygen -y key.txt`.',
    );
  }
  const recipients = [...new Set(options.recipients.map(parseRecipient))];
  return Promise.resolve(recipients.map((recipient) => x25519Stanza(recipient, fileKey)));
}
