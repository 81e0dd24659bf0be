import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outsideReferences } from './helpers/outside-paths.js';
import { PAGILA_DIR } from './helpers/pagila.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('a fresh clone stands on its own', () => {
  it('no code, test, bench, script, CI step or README refers to a path outside the repository', () => {
    expect(outsideReferences(ROOT)).toEqual([]);
  });

  it('the guard catches a test helper pointed at a folder beside the checkout', () => {
    // Given a checkout whose Pagila helper reads the fixture from a folder beside the repository (as it once did)
    const repo = join(mkdtempSync(join(tmpdir(), 'guard-')), 'pgdr');
    mkdirSync(join(repo, 'test/helpers'), { recursive: true });
    const helper =
      "export const PAGILA_DIR = fileURLToPath(new URL('../../../shared/fixtures/pagila/', import.meta.url));"; // outside-path: intended
    writeFileSync(join(repo, 'test/helpers/pagila.ts'), `${helper}\n`);
    const readme = 'The code follows `../shared/ARCHITECTURE.md`.'; // outside-path: intended
    writeFileSync(join(repo, 'README.md'), `${readme}\nSee [the tests](test/helpers/pagila.ts).\n`);
    // When the guard reads it / Then both references are named with their file and line
    expect(outsideReferences(repo)).toEqual([
      { file: 'test/helpers/pagila.ts', line: 1, text: helper },
      { file: 'README.md', line: 1, text: readme },
    ]);
  });

  it('the Pagila fixture is in the repository with its licence', () => {
    expect(PAGILA_DIR.startsWith(ROOT)).toBe(true);
    expect(readFileSync(join(PAGILA_DIR, 'LICENSE.txt'), 'utf8')).toContain('Permission is hereby granted');
    expect(readFileSync(join(PAGILA_DIR, 'pagila-schema.sql'), 'utf8')).toContain('CREATE TABLE public.film');
  });
});
