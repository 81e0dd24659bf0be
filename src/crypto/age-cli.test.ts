import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionFailed } from '../core/errors.js';
import { runProcess, startProcess } from '../core/system.js';
import { decryptBuffer, encryptBuffer, generateIdentity, readIdentityFile, recipientOf } from './index.js';

// Interoperability with the reference implementation: files either side writes, the other reads.
let dir: string;
let keyFile: string;
let identities: string[];
let recipient: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pgdr-age-'));
  keyFile = join(dir, 'key.txt');
  await runProcess('age-keygen', ['-o', keyFile]);
  identities = await readIdentityFile(keyFile);
  recipient = (await runProcess('age-keygen', ['-y', keyFile])).trim();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Runs the age CLI and returns its binary stdout. */
async function age(args: string[]): Promise<Buffer> {
  const proc = startProcess('age', args, { stdout: 'pipe' });
  const out: Buffer[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  await proc.done;
  return Buffer.concat(out);
}

/** age reads passphrases only from a terminal, so it runs under `script` and gets answers as prompts appear. */
async function ageWithPassphrase(args: string[], passphrase: string): Promise<void> {
  const command = ['age', ...args].map((arg) => `'${arg}'`).join(' ');
  const proc = startProcess('script', ['-qec', command, '/dev/null'], { stdin: 'pipe', stdout: 'pipe' });
  let seen = '';
  let answered = 0;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (text: string) => {
    seen += text;
    for (const asked = (seen.match(/passphrase[^:\n]*:/gi) ?? []).length; answered < asked; answered++)
      proc.stdin!.write(`${passphrase}\n`);
  });
  const stuck = setTimeout(() => proc.kill(), 60_000);
  try {
    await proc.done;
  } finally {
    clearTimeout(stuck);
    proc.stdin!.end();
  }
  expect(answered).toBeGreaterThan(0);
}

describe('age CLI interoperability', () => {
  it('derives the same recipient as age-keygen', () => {
    expect(identities).toHaveLength(1);
    expect(recipientOf(identities[0]!)).toBe(recipient);
  });

  it.each([0, 65536, 3 * 1024 * 1024 + 5])('our %i-byte file decrypts with `age -d -i`', async (size) => {
    const plaintext = randomBytes(size);
    const encrypted = await file(`ours-${size}.age`, await encryptBuffer(plaintext, { recipients: [recipient] }));
    expect((await age(['-d', '-i', keyFile, encrypted])).equals(plaintext)).toBe(true);
  });

  it.each([0, 65536, 3 * 1024 * 1024 + 5])('a %i-byte file from `age -r` decrypts with ours', async (size) => {
    const plaintext = randomBytes(size);
    const source = await file(`plain-${size}`, plaintext);
    const encrypted = join(dir, `cli-${size}.age`);
    await age(['-r', recipient, '-o', encrypted, source]);
    expect((await decryptBuffer(await readFile(encrypted), { identities })).equals(plaintext)).toBe(true);
  });

  it('interoperates with several recipients both ways', async () => {
    const other = generateIdentity();
    const otherKey = await file('other.txt', Buffer.from(`# other\n${other.identity}\n`));
    const plaintext = randomBytes(100_000);
    const ours = await file(
      'multi-ours.age',
      await encryptBuffer(plaintext, { recipients: [other.recipient, recipient] }),
    );
    for (const key of [keyFile, otherKey]) expect((await age(['-d', '-i', key, ours])).equals(plaintext)).toBe(true);
    const source = await file('multi-plain', plaintext);
    const theirs = join(dir, 'multi-cli.age');
    await age(['-r', recipient, '-r', other.recipient, '-o', theirs, source]);
    expect((await decryptBuffer(await readFile(theirs), { identities: [other.identity] })).equals(plaintext)).toBe(
      true,
    );
  });

  it('refuses a CLI file for another key and an armored CLI file, clearly', async () => {
    const source = await file('armor-plain', Buffer.from('hello'));
    const theirs = join(dir, 'armored.age');
    await age(['-a', '-r', recipient, '-o', theirs, source]);
    await expect(decryptBuffer(await readFile(theirs), { identities })).rejects.toThrow(/ASCII-armored/);
    await age(['-r', generateIdentity().recipient, '-o', theirs, source]);
    await expect(decryptBuffer(await readFile(theirs), { identities })).rejects.toBeInstanceOf(DecryptionFailed);
  });

  it('our passphrase file (scrypt, work factor 18) decrypts with `age -d`', async () => {
    const plaintext = randomBytes(150_000);
    const encrypted = await file('pass-ours.age', await encryptBuffer(plaintext, { passphrase: 'tr0ub4dor & 3' }));
    const out = join(dir, 'pass-ours.out');
    await ageWithPassphrase(['-d', '-o', out, encrypted], 'tr0ub4dor & 3');
    expect((await readFile(out)).equals(plaintext)).toBe(true);
  });

  it('a passphrase file from `age -p` decrypts with ours, and a wrong passphrase is named', async () => {
    const plaintext = randomBytes(150_000);
    const source = await file('pass-plain', plaintext);
    const theirs = join(dir, 'pass-cli.age');
    await ageWithPassphrase(['-p', '-o', theirs, source], 'correct horse');
    const encrypted = await readFile(theirs);
    expect(encrypted.toString('latin1')).toMatch(/\n-> scrypt \S+ 18\n/);
    expect((await decryptBuffer(encrypted, { passphrase: 'correct horse' })).equals(plaintext)).toBe(true);
    await expect(decryptBuffer(encrypted, { passphrase: 'wrong horse' })).rejects.toThrow('Wrong passphrase.');
  });
});
