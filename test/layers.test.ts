import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from './helpers/cli.js';

/**
 * The layers of src/, lowest first: a folder imports only folders on lower layers (never one beside it or above it).
 * The README's design section draws the same order.
 */
const LAYERS: string[][] = [
  ['core'],
  ['pg', 'storage', 'crypto', 'supabase'],
  ['config', 'data'],
  ['audit', 'schedule', 'backup'],
  ['notify', 'restore', 'storage-files', 'doctor'],
  ['actions'],
  ['runbook', 'sandbox'],
  ['report', 'ui'],
  ['cli'],
];

const SRC = join(ROOT, 'src');

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every module a file names: static imports and re-exports (type-only ones too) and dynamic import(). */
function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*'([^']+)'/g)].map((m) => m[1]!);
  found.push(...[...code.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!));
  found.push(...[...code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!));
  return found;
}

interface Arrow {
  from: string;
  to: string;
}

/** File-to-file arrows inside src/ (module paths end in .js; the files are .ts or .tsx). */
function arrows(): { files: string[]; arrows: Arrow[]; packages: { from: string; name: string }[] } {
  const files = sourceFiles().map((f) => relative(SRC, f));
  const known = new Set(files);
  const found: Arrow[] = [];
  const packages: { from: string; name: string }[] = [];
  for (const from of files) {
    for (const spec of specifiers(readFileSync(join(SRC, from), 'utf8'))) {
      if (!spec.startsWith('.')) {
        packages.push({ from, name: spec });
        continue;
      }
      const base = normalize(join(dirname(from), spec)).replace(/\.js$/, '');
      const to = [`${base}.ts`, `${base}.tsx`].find((candidate) => known.has(candidate));
      if (to) found.push({ from, to });
      else if (!base.startsWith('..')) throw new Error(`${from} imports ${spec}, which is not a file of src/`);
    }
  }
  return { files, arrows: found, packages };
}

const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : '(src)');
const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

/** The strongly connected groups of more than one file (Tarjan): import cycles. */
function cycles(files: string[], edges: Arrow[]): string[][] {
  const next = new Map(files.map((f) => [f, edges.filter((e) => e.from === f).map((e) => e.to)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) group.push(w);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

describe('the layers of src/', () => {
  const graph = arrows();

  it('every folder has a layer', () => {
    const folders = [...new Set(graph.files.map(folderOf))].filter((f) => f !== '(src)');
    expect(folders.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('every import between folders points to a lower layer', () => {
    const wrong = graph.arrows
      .filter((a) => folderOf(a.from) !== folderOf(a.to))
      .filter((a) => layerOf(folderOf(a.to)) >= layerOf(folderOf(a.from)))
      .map((a) => `${a.from} -> ${a.to}`);
    expect(wrong).toEqual([]);
  });

  it('no files import each other in a circle', () => {
    expect(cycles(graph.files, graph.arrows)).toEqual([]);
  });

  it('one module spawns processes and one opens connections', () => {
    const importers = (name: string) => graph.packages.filter((p) => p.name === name).map((p) => p.from);
    expect([...new Set([...importers('node:child_process'), ...importers('child_process')])]).toEqual([
      'core/system.ts',
    ]);
    const pg = graph.files.filter((f) => /^\s*import pg from 'pg'/m.test(readFileSync(join(SRC, f), 'utf8')));
    expect(pg).toEqual(['pg/client.ts']);
  });

  it('the README draws the same layers', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const picture = /stand in layers[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const drawn = picture
      .trim()
      .split('\n')
      .map((line) =>
        line
          .split(/\s{2,}/)[0]!
          .split(' · ')
          .sort(),
      )
      .reverse();
    expect(drawn).toEqual(LAYERS.map((layer) => [...layer].sort()));
  });

  it('reads the imports it judges (a file known to import across layers is seen doing so)', () => {
    expect(graph.arrows).toContainEqual({ from: 'cli/run.ts', to: 'runbook/engine.ts' });
  });
});
