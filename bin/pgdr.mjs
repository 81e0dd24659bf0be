#!/usr/bin/env node
// Runs the compiled CLI; in a source checkout without a build it falls back to tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/cli/main.js`;
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig, not the cwd's: without it the TUI's JSX compiles to React.createElement and fails.
  register({ tsconfig: `${root}tsconfig.json` });
  await import(pathToFileURL(`${root}src/cli/main.ts`).href);
}
