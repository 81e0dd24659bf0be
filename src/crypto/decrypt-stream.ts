import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DecryptionFailed, UsageError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { headerLength, headerMac, MalformedHeader, parseHeader, VERSION_LINE } from './header.js';
import { identityBytes } from './keys.js';
import { ByteQueue, NONCE_SIZE, openChunk, payloadKey, pushBatch, SEALED_CHUNK_SIZE, TAG_SIZE } from './payload.js';
import { unwrapFileKey, type Credentials } from './unwrap.js';
import { identityKeyPair } from './x25519.js';

export type DecryptOptions = ({ identities: string[] } | { passphrase: string }) & {
  /** Recipients the backup's manifest names; quoted in the hint when no identity matches. */
  recipients?: string[];
};

const MAX_HEADER_SIZE = 1024 * 1024;
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

function truncatedOrModified(): DecryptionFailed {
  return new DecryptionFailed('The encrypted file is truncated or was modified.', {
    hint: 'Nothing after the damaged part was trusted. Fetch the backup again (its sha256 is in the manifest) or use another copy.',
  });
}

/**
 * Binary age v1 decryption as a Transform. Each 64 KiB chunk is authenticated before any of its plaintext is
 * pushed; one sealed chunk is held back until more input (or the end) shows whether it must be the final one.
 */
export function createDecryptStream(options: DecryptOptions): Transform {
  const credentials = prepareCredentials(options);
  const queue = new ByteQueue();
  let headerBytes: Buffer | undefined = Buffer.alloc(0);
  let fileKey: Buffer | undefined;
  let key: KeyObject | undefined;
  let counter = 0;

  const readHeader = async (chunk: Buffer): Promise<void> => {
    const buffered = Buffer.concat([headerBytes!, chunk]);
    checkStart(buffered);
    const length = headerLength(buffered);
    if (length < 0) {
      if (buffered.length > MAX_HEADER_SIZE) throw notAgeFile();
      headerBytes = buffered;
      return;
    }
    headerBytes = undefined;
    let header;
    try {
      header = parseHeader(buffered.subarray(0, length));
      fileKey = await unwrapFileKey(header.stanzas, credentials, options.recipients);
    } catch (error) {
      throw error instanceof MalformedHeader ? malformed(error) : error;
    }
    const mac = headerMac(fileKey, header.macInput);
    if (!timingSafeEqual(mac, header.mac)) {
      throw new DecryptionFailed('The header of the encrypted file was modified.', {
        hint: 'Its MAC does not match: fetch the backup again or use another copy.',
      });
    }
    queue.push(buffered.subarray(length));
  };

  const openReadyChunks = (stream: Transform) => {
    if (!key) {
      if (queue.length < NONCE_SIZE) return;
      key = payloadKey(fileKey!, queue.takeContiguous(NONCE_SIZE));
    }
    const batch: Buffer[] = [];
    try {
      while (queue.length > SEALED_CHUNK_SIZE) {
        const sealed = queue.take(SEALED_CHUNK_SIZE - TAG_SIZE);
        if (!openChunk(key, counter++, false, sealed, queue.takeContiguous(TAG_SIZE), batch))
          throw truncatedOrModified();
      }
    } finally {
      // Chunks authenticated before a bad one are genuine plaintext; they go out before the error.
      pushBatch(stream, batch);
    }
  };

  return new Transform({
    readableHighWaterMark: SEALED_CHUNK_SIZE * 2,
    writableHighWaterMark: SEALED_CHUNK_SIZE * 2,
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (headerBytes) {
        readHeader(chunk)
          .then(() => {
            if (headerBytes) return callback();
            openReadyChunks(this);
            callback();
          })
          .catch(callback);
        return;
      }
      try {
        queue.push(chunk);
        openReadyChunks(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(this: Transform, callback: TransformCallback) {
      try {
        if (headerBytes) {
          checkStart(headerBytes, true);
          throw truncatedOrModified();
        }
        openReadyChunks(this);
        const rest = queue.length - TAG_SIZE;
        // The final chunk may be empty only when the whole payload is.
        if (!key || rest < 0 || (rest === 0 && counter > 0)) throw truncatedOrModified();
        const batch: Buffer[] = [];
        if (!openChunk(key, counter++, true, queue.take(rest), queue.takeContiguous(TAG_SIZE), batch))
          throw truncatedOrModified();
        pushBatch(
          this,
          batch.filter((piece) => piece.length > 0),
        );
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

function prepareCredentials(options: DecryptOptions): Credentials {
  if ('passphrase' in options) {
    if (!options.passphrase)
      throw new UsageError('The decryption passphrase is empty.', 'Set the passphrase the backup was encrypted with.');
    registerSecret(options.passphrase);
    return { passphrase: options.passphrase };
  }
  if (options.identities.length === 0) {
    throw new UsageError(
      'No identity to decrypt with.',
      'Pass an age identity file (made by `age-keygen`) that matches the backup recipients.',
    );
  }
  for (const identity of options.identities) registerSecret(identity.trim());
  return { identities: options.identities.map((identity) => identityKeyPair(identityBytes(identity))) };
}

/** Fails fast on input that cannot be an age file; `complete` means no more bytes will come. */
function checkStart(buffered: Buffer, complete = false): void {
  const seen = buffered.subarray(0, VERSION_LINE.length).toString('latin1');
  if (buffered.subarray(0, ARMOR_BEGIN.length).toString('latin1') === ARMOR_BEGIN) {
    throw new DecryptionFailed('The file is ASCII-armored age; pgdr reads binary age.', {
      hint: 'Decrypt it with `age -d`, or re-encrypt it without --armor.',
    });
  }
  if (!VERSION_LINE.startsWith(seen) || (complete && seen.length === 0)) throw notAgeFile();
}

function notAgeFile(): DecryptionFailed {
  return new DecryptionFailed('The file is not age-encrypted.', {
    hint: 'An age file starts with "age-encryption.org/v1". Check the path, or whether this backup is encrypted at all.',
  });
}

function malformed(error: Error): DecryptionFailed {
  return new DecryptionFailed(`The header of the encrypted file is malformed (${error.message}).`, {
    hint: 'The file is damaged or was not written by age: fetch the backup again or use another copy.',
    cause: error,
  });
}
