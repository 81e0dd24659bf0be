import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Ours and private (0700, or 0600 for a file): never a path someone else prepared for us in a shared directory. */
function ours(path: string, kind: 'dir' | 'file'): boolean {
  try {
    const st = lstatSync(path);
    const right = kind === 'dir' ? st.isDirectory() : st.isFile();
    return right && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

function usable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ours(dir, 'dir') && lstatSync(dir).uid === process.getuid?.()) chmodSync(dir, 0o700);
    return ours(dir, 'dir');
  } catch {
    return false;
  }
}

let chosen: string | undefined;

/** Where pgdr keeps what it writes once per version (the bundle's commands and runbooks): ~/.cache/pgdr, else <tmp>/pgdr-<uid>. */
export function privateCacheDir(): string {
  if (chosen) return chosen;
  const home = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  chosen =
    [join(home, 'pgdr'), join(tmpdir(), `pgdr-${process.getuid?.() ?? 'user'}`)].find(usable) ??
    mkdtempSync(join(tmpdir(), 'pgdr-'));
  return chosen;
}

/** dir/name as a private directory (0700) of this user, created if absent; throws when someone else's is there. */
function privateSubdir(dir: string, name: string): string {
  const path = join(dir, name);
  if (!usable(path)) throw new Error(`${path} is not a private directory of this user; remove it`);
  return path;
}

/** Writes `content` to dir/name once (atomically, 0600) and returns the path; a name must change with its content. */
export function writeOnce(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  if (ours(path, 'file')) return path;
  if (existsSync(path)) throw new Error(`${path} is not a private file of this user; remove it`);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, content, { mode: 0o600 });
  renameSync(partial, path);
  return path;
}

/**
 * Writes `files` (relative path → text) once into <cache>/<prefix><digest>/ and removes what other versions left;
 * returns that directory. A marker written last tells a complete copy from one an earlier run was cut short in.
 */
export function writeVersion(prefix: string, digest: string, files: Record<string, string>): string {
  const name = `${prefix}${digest}`;
  const root = privateSubdir(privateCacheDir(), name);
  if (!existsSync(join(root, '.complete'))) {
    for (const [path, text] of Object.entries(files)) {
      const dir = dirname(join(root, path));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeOnce(dir, basename(path), text);
    }
    writeOnce(root, '.complete', '');
  }
  pruneOtherVersions(privateCacheDir(), prefix, name);
  return root;
}

/** Removes what other versions left under `prefix` (a day old or more), keeping `keep`: each version is 2.8 MB. */
export function pruneOtherVersions(dir: string, prefix: string, keep: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || name === keep) continue;
    try {
      if (lstatSync(join(dir, name)).mtimeMs < dayAgo) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another pgdr removed it first.
    }
  }
}
