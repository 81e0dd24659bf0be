import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

/**
 * Where pgdr stages what must be a file for a while: a parallel restore's decrypted archive, a directory-format
 * dump, a pg_restore list. Each run's directory is private (0700, files 0600), carries the owner's pid in its name
 * (`pgdr-staging-<pid>-…`), and is removed on every way out: by the code that made it, else by the exit handler.
 * A run killed outright (SIGKILL, the OOM killer) cannot remove its own: the next pgdr that stages, and doctor, find
 * directories whose process is gone and remove them.
 */
const PREFIX = 'pgdr-staging-';
/** Names an earlier pgdr used, without a pid: removed once they are a day old. */
const LEGACY = /^pgdr-(restore|list)-/;
const DAY = 24 * 60 * 60 * 1000;

const own = new Set<string>();
let exitHook = false;

export const stagingRoot = (env: NodeJS.ProcessEnv = process.env): string => env.PGDR_STAGING_DIR || tmpdir();

/**
 * A private directory for this run (`what` names it for a person looking at the temp directory); leftovers of
 * killed runs are removed first, each one reported through `warn`.
 */
export function makeStagingDir(what: string, warn?: (message: string) => void): { path: string; remove(): void } {
  for (const left of sweepStaging()) warn?.(leftoverMessage(left));
  const path = mkdtempSync(join(stagingRoot(), `${PREFIX}${process.pid}-${what}-`));
  own.add(path);
  if (!exitHook) {
    exitHook = true;
    // process.exit (a second Ctrl-C) skips every finally: what this run staged still goes.
    process.once('exit', () => {
      for (const dir of own) rmSync(dir, { recursive: true, force: true });
    });
  }
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      own.delete(path);
    },
  };
}

export const leftoverMessage = (left: Leftover): string =>
  `Removed ${left.path}, left by a pgdr${left.pid ? ` (pid ${left.pid})` : ''} that was killed before it could clean up (it may hold a decrypted archive).`;

export interface Leftover {
  path: string;
  /** The process that made it, gone now (undefined for an earlier pgdr's name without one). */
  pid?: number;
}

/**
 * Removes the staging directories of pgdr processes that are gone (this user's only, never a symlink). Returns
 * what it removed, so the caller can say so.
 */
export function sweepStaging(root = stagingRoot()): Leftover[] {
  const removed: Leftover[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const path = join(root, name);
    const ours = /^pgdr-staging-(\d+)-/.exec(name);
    const pid = ours ? Number(ours[1]) : undefined;
    if (pid === undefined && !LEGACY.test(name)) continue;
    try {
      const info = lstatSync(path);
      if (!info.isDirectory() || info.uid !== process.getuid?.()) continue;
      if (
        pid !== undefined
          ? processAlive(pid) && !(pid === process.pid && !own.has(path))
          : Date.now() - info.mtimeMs < DAY
      )
        continue;
      rmSync(path, { recursive: true, force: true });
      removed.push({ path, ...(pid !== undefined ? { pid } : {}) });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
  return removed;
}
