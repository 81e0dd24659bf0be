import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** What users get when they clone the repository: these must not lean on anything beside the checkout. */
export const GUARDED = ['src', 'test', 'bench', 'scripts', '.ci', 'README.md', 'package.json', 'vitest.config.ts'];
const SKIPPED_DIRS = new Set(['node_modules', 'fixtures', '.pgdr-test', 'dist']);
const TEXT = /\.(ts|tsx|mts|mjs|js|cjs|json|md|sh|yaml|yml)$|^run$/;
/** A line that means to name an outside path (a hostile `../` in a test of path handling) says so. */
const ALLOWED = 'outside-path: intended';

export interface OutsideReference {
  file: string;
  line: number;
  text: string;
}

/** Every relative path (`../…`) that climbs out of `root`, and every absolute path into a sibling of it. */
export function outsideReferences(root: string, entries: string[] = GUARDED): OutsideReference[] {
  const top = resolve(root);
  const found: OutsideReference[] = [];
  for (const file of entries.flatMap((entry) => listFiles(join(top, entry)))) {
    const base = file.endsWith('.md') ? top : dirname(file);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (text.includes(ALLOWED)) return;
        if (pathsIn(text).some((p) => leaves(top, p.startsWith('/') ? p : resolve(base, p)))) {
          found.push({ file: relative(top, file), line: index + 1, text: text.trim() });
        }
      });
  }
  return found;
}

function pathsIn(line: string): string[] {
  const relativeOnes = [...line.matchAll(/(?:^|[\s'"`(=:,[])((?:\.\.\/)+[^\s'"`)\],;]*)/g)].map((m) => m[1]!);
  const sharedOnes = [...line.matchAll(/(?:^|[\s'"`(=])(\/(?:work|home|root)\/[^\s'"`)]*)/g)].map((m) => m[1]!);
  return [...relativeOnes, ...sharedOnes];
}

function leaves(top: string, path: string): boolean {
  return path !== top && !path.startsWith(top + sep);
}

function listFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (stat.isFile()) return TEXT.test(path.split(sep).pop()!) ? [path] : [];
  return readdirSync(path)
    .filter((name) => !SKIPPED_DIRS.has(name))
    .flatMap((name) => listFiles(join(path, name)));
}
