import { basename, dirname } from 'node:path';
import { StorageError } from '../core/errors.js';
import { asDirPrefix } from './keys.js';
import { LocalRepository } from './local-repository.js';
import type { Repository } from './repository.js';

/**
 * A backup directory copied anywhere, seen as a repository holding just that backup as `backups/<id>/`: the operator
 * named the directory, so no link is needed (the repository never follows one).
 */
export function singleBackupRepository(dir: string, id: string = basename(dir)): Repository {
  const view = singleBackupView(dir, id);
  singleBackups.add(view);
  return view;
}

const singleBackups = new WeakSet<Repository>();

/** A lone backup directory, which holds nothing else (no safety snapshot, no new backup). */
export const isSingleBackup = (repo: Repository): boolean => singleBackups.has(repo);

function singleBackupView(dir: string, id: string): Repository {
  const inner = new LocalRepository(dirname(dir));
  const own = `backups/${id}/`;
  const inside = (key: string) => {
    if (!key.startsWith(own) && key !== own.slice(0, -1))
      throw new StorageError(`${dir} holds only backup ${id}.`, { hint: 'Name a repository with --repo instead.' });
    return `${basename(dir)}/${key.slice(own.length)}`.replace(/\/$/, '');
  };
  const readOnly = (): never => {
    throw new StorageError(`${dir} is a single backup directory; pgdr only reads it.`, {
      hint: 'Name a repository with --repo to write to it.',
    });
  };
  return {
    url: dir,
    remote: false,
    putStream: readOnly,
    writeFile: (key, data) => inner.writeFile(inside(key), data),
    readFile: (key, opts) => inner.readFile(inside(key), opts),
    getStream: (key, opts) => inner.getStream(inside(key), opts),
    stat: (key) => inner.stat(inside(key)),
    list: async (prefix) =>
      (await inner.list(`${basename(dir)}/`))
        .map((o) => ({ ...o, key: `${own}${o.key.slice(basename(dir).length + 1)}` }))
        .filter((o) => o.key.startsWith(prefix)),
    listDirs: async (prefix) => (asDirPrefix(prefix) === 'backups/' ? [id] : []),
    remove: readOnly,
    claimDir: readOnly,
    removePrefix: readOnly,
    lock: readOnly,
    freeBytes: () => inner.freeBytes(),
    lockStates: async (keys) => {
      const states = await inner.lockStates(keys.map(inside));
      return new Map(keys.flatMap((k) => (states.has(inside(k)) ? [[k, states.get(inside(k))!]] : [])));
    },
    probe: () => inner.probe(),
  };
}
