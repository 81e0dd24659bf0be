// The launcher's stand-in for src/cli/run-command.ts: the commands' code is written once to a private cache file and
// imported from there, so V8 compiles it only when a command runs (and never for --help or --version).
import { PAYLOAD, DIGEST } from 'pgdr:payload';
import { pathToFileURL } from 'node:url';
import { privateCacheDir, pruneOtherVersions, writeOnce } from '../src/core/private-cache.ts';

export async function runCommand(...args) {
  globalThis.__pgdrBundleUrl = import.meta.url;
  let url;
  try {
    const name = `commands-${DIGEST}.mjs`;
    url = pathToFileURL(writeOnce(privateCacheDir(), name, PAYLOAD)).href;
    pruneOtherVersions(privateCacheDir(), 'commands-', name);
  } catch {
    // Nowhere to write (read-only home and /tmp): slower, from memory.
    url = `data:text/javascript;base64,${Buffer.from(PAYLOAD).toString('base64')}`;
  }
  const commands = await import(url);
  return await commands.runCommand(...args);
}
