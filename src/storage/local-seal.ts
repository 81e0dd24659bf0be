import { lstat, open } from 'node:fs/promises';
import { runProcess } from '../core/system.js';
import { FILE_MODE } from './local-files.js';
import { READ_NO_FOLLOW } from './local-paths.js';
import type { LockState, SealResult } from './lock-types.js';

/** chmod through a descriptor opened without following links: a link planted in a file's place is never changed. */
async function setMode(path: string, mode: number): Promise<void> {
  const handle = await open(path, READ_NO_FOLLOW);
  try {
    if (!(await handle.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

async function chattr(flag: '+i' | '-i', paths: string[]): Promise<boolean> {
  if (!paths.length) return true;
  try {
    await runProcess('chattr', [flag, '--', ...paths], { cwd: '/' });
    return true;
  } catch {
    // Not root (CAP_LINUX_IMMUTABLE), a file system without the flag (tmpfs, NFS), or no chattr at all.
    return false;
  }
}

/**
 * Makes finished files read-only and then immutable (chattr +i: not even their owner can remove, rename or change
 * them until root lifts the flag). Immutable only where every file took the flag; otherwise read-only, which keeps
 * accidents off but not their owner.
 */
export async function sealFiles(paths: string[]): Promise<SealResult> {
  for (const path of paths) await setMode(path, 0o444);
  return (await chattr('+i', paths)) ? 'immutable' : 'read-only';
}

/** Lifts the flag (where it is set) and gives the owner write permission back, so the files can be removed. */
export async function unsealFiles(paths: string[]): Promise<void> {
  const states = await fileLockStates(paths);
  const immutable = paths.filter((p) => states.get(p)?.mode === 'immutable');
  if (immutable.length && !(await chattr('-i', immutable)))
    throw Object.assign(new Error(`cannot lift chattr +i from ${immutable[0]} (needs root)`), { code: 'EPERM' });
  for (const path of paths) if (states.has(path)) await setMode(path, FILE_MODE);
}

/** Immutable (lsattr shows "i") or read-only (no write bit) files among `paths`; others, and missing ones, left out. */
export async function fileLockStates(paths: string[]): Promise<Map<string, LockState>> {
  const states = new Map<string, LockState>();
  const files: string[] = [];
  for (const path of paths) {
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    files.push(path);
    if ((info.mode & 0o222) === 0) states.set(path, { mode: 'read-only' });
  }
  for (const path of await immutableAmong(files)) states.set(path, { mode: 'immutable' });
  return states;
}

async function immutableAmong(files: string[]): Promise<string[]> {
  if (!files.length) return [];
  let out: string;
  try {
    out = await runProcess('lsattr', ['-d', '--', ...files], { cwd: '/' });
  } catch {
    return [];
  }
  // "----i---------e------- /path": the flags, a space, the path as given.
  return out
    .split('\n')
    .map((line) => /^(\S+) (.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m && m[1]!.includes('i') && files.includes(m[2]!))
    .map((m) => m[2]!);
}
