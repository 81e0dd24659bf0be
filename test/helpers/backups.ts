import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateIdentity } from '../../src/crypto/index.js';
import { runPgdr } from './cli.js';

/** An age identity written to `<dir>/key.txt` (0600), and its recipient. */
export function keyPair(dir: string): { keyFile: string; recipient: string } {
  const { identity, recipient } = generateIdentity();
  const keyFile = join(dir, 'key.txt');
  writeFileSync(keyFile, identity + '\n', { mode: 0o600 });
  return { keyFile, recipient };
}

/** `pgdr backup <args> --json`, which must succeed; returns the backup's id. */
export async function takeBackup(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runPgdr(['backup', ...args, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}
