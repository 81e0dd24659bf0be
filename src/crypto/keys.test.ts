import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { knownSecrets } from '../core/secrets.js';
import { bech32Decode, bech32Encode } from './bech32.js';
import { generateIdentity, parseIdentities, parseRecipient, readIdentityFile, recipientOf } from './index.js';

// The example key pair from the age specification (C2SP age.md).
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
const SPEC_RECIPIENT = 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('age keys', () => {
  it('derives the specification example recipient from its identity', () => {
    expect(recipientOf(SPEC_IDENTITY)).toBe(SPEC_RECIPIENT);
    expect(bech32Decode(SPEC_IDENTITY)?.data).toEqual(Buffer.alloc(32, 0x42));
    expect(bech32Encode('AGE-SECRET-KEY-', Buffer.alloc(32, 0x42))).toBe(SPEC_IDENTITY);
  });

  it('rejects Bech32 with a bad checksum or mixed case', () => {
    expect(bech32Decode(SPEC_RECIPIENT.slice(0, -1) + 'q')).toBeUndefined();
    expect(bech32Decode(SPEC_RECIPIENT.slice(0, 10) + SPEC_RECIPIENT.slice(10).toUpperCase())).toBeUndefined();
  });

  it('generates an identity whose recipient matches', () => {
    const { identity, recipient } = generateIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(recipientOf(identity)).toBe(recipient);
    expect(knownSecrets().has(identity)).toBe(true);
  });

  it('validates recipients with a hint, without echoing a pasted secret key', () => {
    expect(parseRecipient(` ${SPEC_RECIPIENT.toUpperCase()} `)).toBe(SPEC_RECIPIENT);
    expect(usageError(() => parseRecipient('ssh-ed25519 AAAA')).hint).toMatch(/SSH keys/);
    expect(usageError(() => parseRecipient(SPEC_RECIPIENT.slice(0, -2))).hint).toMatch(/age1/);
    const secret = usageError(() => parseRecipient(SPEC_IDENTITY));
    expect(secret.message).not.toContain(SPEC_IDENTITY);
    expect(secret.hint).toMatch(/age-keygen -y/);
  });

  it('reads identity files, skipping comments and blank lines', async () => {
    const text = `# created: 2025-01-16\n# public key: ${SPEC_RECIPIENT}\n\n${SPEC_IDENTITY}\r\n  \n`;
    expect(parseIdentities(text)).toEqual([SPEC_IDENTITY]);
    expect(knownSecrets().has(SPEC_IDENTITY)).toBe(true);
    const error = usageError(() => parseIdentities(`# key\n${SPEC_RECIPIENT}\n`));
    expect(error.message).toBe('Line 2 of the identity file is not an age identity.');
    expect(usageError(() => parseIdentities('AGE-PLUGIN-YUBIKEY-1QQQQ\n')).hint).toMatch(/plugin/);
  });

  it('says clearly when the identity file is missing, a directory or empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgdr-keys-'));
    dirs.push(dir);
    const missing = join(dir, 'nope.txt');
    await expect(readIdentityFile(missing)).rejects.toThrow(`The identity file ${missing} does not exist.`);
    await expect(readIdentityFile(dir)).rejects.toThrow(/is a directory/);
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '# nothing here\n');
    await expect(readIdentityFile(empty)).rejects.toThrow(`The identity file ${empty} holds no identity.`);
    const good = join(dir, 'key.txt');
    await writeFile(good, `${SPEC_IDENTITY}\n`);
    expect(await readIdentityFile(good)).toEqual([SPEC_IDENTITY]);
  });
});
