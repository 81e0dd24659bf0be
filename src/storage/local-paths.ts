import { constants } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { checkKey } from './keys.js';
import { DIR_MODE } from './local-files.js';

/** Flags for opening a repository file: a link in its place fails (ELOOP) instead of being followed. */
export const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;
export const CREATE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export function linkRefused(path: string): StorageError {
  return new StorageError(`${printable(path)} is a symbolic link; pgdr does not follow links inside a repository.`, {
    hint: 'Something put a link into the repository. Look at who did; pgdr leaves it, and what it points to, alone.',
  });
}

/**
 * The absolute path of `key` under `root`, after checking that no directory on the way is a symbolic link or a
 * file (a planted `backups/lnk -> /elsewhere` must not take a write or a delete out of the repository). With
 * `create`, missing directories are made, private to the owner. The root itself is the operator's choice and may be
 * a link.
 */
export async function pathInside(root: string, key: string, create: boolean): Promise<string> {
  return walkInside(root, checkKey(key).split('/').slice(0, -1), create).then(() => join(root, key));
}

/** The directory `dirKey` ("" for the root) under `root`, checked like the directories of pathInside. */
export async function dirInside(root: string, dirKey: string): Promise<string> {
  if (dirKey === '') return root;
  await walkInside(root, checkKey(dirKey).split('/'), false);
  return join(root, dirKey);
}

async function walkInside(root: string, segments: string[], create: boolean): Promise<void> {
  if (create) await mkdir(root, { recursive: true, mode: DIR_MODE });
  let dir = root;
  for (const segment of segments) {
    dir = join(dir, segment);
    let info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      if (!create) break;
      await mkdir(dir, { mode: DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      info = await lstat(dir);
    }
    if (info.isSymbolicLink()) throw linkRefused(dir);
    if (!info.isDirectory())
      throw new StorageError(
        `${printable(dir)} is in the way of the repository's directories: it is not a directory.`,
        {
          hint: 'Something unexpected sits in the repository; look at it and move it away.',
        },
      );
  }
}
