// The launcher's stand-in for src/cli/run-command.ts: the commands' code (split by esbuild into an entry and shared
// chunks) is written once to a private cache directory and imported from there, so V8 compiles only what the command
// being run imports (restore never compiles Ink, React or the AWS SDK), and nothing for --help or --version.
import { FILES, DIGEST } from 'pgdr:payload';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeVersion } from '../src/core/private-cache.ts';

export async function runCommand(...args) {
  globalThis.__pgdrBundleUrl = import.meta.url;
  let dir;
  try {
    dir = writeVersion('commands-', DIGEST, FILES);
  } catch (error) {
    process.stderr.write(
      `pgdr: cannot write its commands to a private cache directory (${error.message}).\nSet XDG_CACHE_HOME to a directory you can write, e.g. XDG_CACHE_HOME=$HOME/.cache.\n`,
    );
    return 1;
  }
  const commands = await import(pathToFileURL(join(dir, 'entry.mjs')).href);
  return await commands.runCommand(...args);
}
