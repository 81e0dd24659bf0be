import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecryptStream, type DecryptOptions } from './decrypt-stream.js';
import { createEncryptStream, type EncryptOptions } from './encrypt-stream.js';

/** Whole-buffer encryption for small things (role scripts, test fixtures); backups use the streams. */
export function encryptBuffer(data: Buffer, options: EncryptOptions): Promise<Buffer> {
  return runBuffer(createEncryptStream(options), data);
}

export function decryptBuffer(data: Buffer, options: DecryptOptions): Promise<Buffer> {
  return runBuffer(createDecryptStream(options), data);
}

async function runBuffer(stream: Transform, data: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(data.length ? [data] : []), stream, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}
