import { chownSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runProcessSync } from '../core/system.js';

/**
 * PostgreSQL server programs (initdb, pg_ctl, postgres) and pgBackRest refuse or misbehave as root; when pgdr
 * runs as root they run as the `postgres` OS user and the files they touch are handed to it.
 */
export const SERVER_OS_USER = 'postgres';

export const isRoot = (): boolean => process.getuid?.() === 0;

/** The command and arguments that run `bin` as the server user (unchanged when not root). */
export function asServerUser(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', SERVER_OS_USER, '--', bin, ...args]] : [bin, args];
}

let ids: { uid: number; gid: number } | undefined;

export function serverUserIds(): { uid: number; gid: number } {
  ids ??= {
    uid: Number(runProcessSync('id', ['-u', SERVER_OS_USER]).trim()),
    gid: Number(runProcessSync('id', ['-g', SERVER_OS_USER]).trim()),
  };
  return ids;
}

/** Gives a file or directory to the server user, so it can read or write it after we created it as root. */
export function handToServerUser(path: string): void {
  if (!isRoot()) return;
  const { uid, gid } = serverUserIds();
  chownSync(path, uid, gid);
}

/** Every directory from `dir` up to / has the execute bit `bitOf` names for it (none may be missing). */
function everyDirectoryUp(dir: string, bitOf: (s: Stats) => number): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      const s = statSync(d);
      if (!(s.mode & bitOf(s))) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/** Every directory from `dir` up to / can be entered by any user (o+x). */
export function traversableByAll(dir: string): boolean {
  return everyDirectoryUp(dir, () => 0o001);
}

/**
 * Every directory from `dir` up to / can be entered by the server user: by its owner's bit when the server user owns
 * it, its group's when it is the server user's group, else the bit for everyone.
 */
export function traversableByServerUser(dir: string): boolean {
  if (!isRoot()) return true; // the server runs as this user, who reached the directory to name it
  const { uid, gid } = serverUserIds();
  return everyDirectoryUp(dir, (s) => (s.uid === uid ? 0o100 : s.gid === gid ? 0o010 : 0o001));
}
