import { createHmac, hkdfSync } from 'node:crypto';

/** One recipient stanza: `-> type arg…` and its binary body. */
export interface Stanza {
  args: string[];
  body: Buffer;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** The bytes the MAC covers: from the version line up to and including `---`. */
  macInput: Buffer;
  mac: Buffer;
}

export const VERSION_LINE = 'age-encryption.org/v1\n';
const MAC_MARK = '\n---';
const BASE64_CHARS = /^[A-Za-z0-9+/]*$/;

/** Thrown by the parser; the decrypt stream turns it into a DecryptionFailed with a hint. */
export class MalformedHeader extends Error {}

export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
}

export function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  return createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header'))
    .update(macInput)
    .digest();
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Decodes unpadded base64, refusing anything that is not the canonical encoding. */
export function decodeBase64(text: string): Buffer {
  if (!BASE64_CHARS.test(text) || text.length % 4 === 1) throw new MalformedHeader('invalid base64');
  const bytes = Buffer.from(text, 'base64');
  if (encodeBase64(bytes) !== text) throw new MalformedHeader('non-canonical base64');
  return bytes;
}

export function encodeHeader(stanzas: Stanza[], fileKey: Uint8Array): Buffer {
  let text = VERSION_LINE;
  for (const stanza of stanzas) {
    text += `-> ${stanza.args.join(' ')}\n`;
    const body = encodeBase64(stanza.body);
    for (let i = 0; i < body.length; i += 64) text += `${body.slice(i, i + 64)}\n`;
    // The body ends with a line shorter than 64 columns, empty when the last one is full.
    if (body.length % 64 === 0) text += '\n';
  }
  text += '---';
  const macInput = Buffer.from(text, 'latin1');
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, 'latin1')]);
}

/** Length of the header at the start of `buf` (through the MAC line's newline), or -1 while it is incomplete. */
export function headerLength(buf: Buffer): number {
  const mark = buf.indexOf(MAC_MARK, 0, 'latin1');
  if (mark < 0) return -1;
  const end = buf.indexOf(0x0a, mark + MAC_MARK.length);
  return end < 0 ? -1 : end + 1;
}

export function parseHeader(header: Buffer): ParsedHeader {
  const text = header.toString('latin1');
  if (!text.startsWith(VERSION_LINE)) throw new MalformedHeader('missing version line');
  const lines = text.slice(VERSION_LINE.length, -1).split('\n');
  const stanzas: Stanza[] = [];
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('-> ')) {
    const args = lines[i]!.slice(3).split(' ');
    if (args.some((arg) => !/^[\x21-\x7e]+$/.test(arg))) throw new MalformedHeader('invalid stanza arguments');
    i++;
    let body = '';
    for (;;) {
      const line = lines[i];
      if (line === undefined || line.startsWith('-')) throw new MalformedHeader('stanza body is not terminated');
      if (line.length > 64 || !BASE64_CHARS.test(line)) throw new MalformedHeader('invalid stanza body');
      body += line;
      i++;
      if (line.length < 64) break;
    }
    stanzas.push({ args, body: decodeBase64(body) });
  }
  const macLine = lines[i];
  if (stanzas.length === 0) throw new MalformedHeader('no recipient stanza');
  if (i !== lines.length - 1 || macLine === undefined || !/^--- [A-Za-z0-9+/]{43}$/.test(macLine)) {
    throw new MalformedHeader('invalid MAC line');
  }
  const macStart = header.length - 1 - macLine.length;
  return { stanzas, macInput: header.subarray(0, macStart + 3), mac: decodeBase64(macLine.slice(4)) };
}
