#!/usr/bin/env node
// Runs the one-file bundle (npm run bundle) or the compiled CLI; in a checkout, only if built after the last source
// change, else tsx on the source.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = `${root}src`;
const newestSource = () =>
  Math.max(...readdirSync(sourceDir, { recursive: true }).map((f) => statSync(`${sourceDir}/${f}`).mtimeMs));
const candidates = [`${root}dist/pgdr.mjs`, `${root}dist/cli/main.js`].filter((file) => existsSync(file));
const source = existsSync(sourceDir) && candidates.length ? newestSource() : 0;
const built = candidates.find((file) => statSync(file).mtimeMs >= source);
if (built) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig, not the cwd's: without it the TUI's JSX compiles to React.createElement and fails.
  register({ tsconfig: `${root}tsconfig.json` });
  await import(pathToFileURL(`${root}src/cli/main.ts`).href);
}
