#!/usr/bin/env node
// Builds dist/pgdr.mjs: the whole CLI (Ink, React, the AWS SDK…) with its runbooks and templates, in one file for `node`.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/pgdr.mjs');

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** runbooks/ and templates/ as a module of strings, in place of the empty src/core/embedded-assets.ts. */
const embedAssets = {
  name: 'embed-assets',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]core[\\/]embedded-assets\.ts$/ }, () => {
      const assets = Object.fromEntries(
        ['runbooks', 'templates']
          .flatMap((dir) => filesUnder(join(ROOT, dir)))
          .sort()
          .map((path) => [relative(ROOT, path), readFileSync(path, 'utf8')]),
      );
      return { contents: `export const EMBEDDED_ASSETS = ${JSON.stringify(assets)};`, loader: 'js' };
    });
  },
};

/**
 * Stand-ins for what pgdr never runs but its dependencies import: Ink loads react-devtools-core only when DEV=true,
 * and @inquirer/prompts' editor prompt (unused) pulls in 500 KB of iconv-lite tables.
 */
const STUBS = {
  'react-devtools-core': 'export default { initialize() {}, connectToDevTools() {} };',
  '@inquirer/external-editor':
    "export function editAsync(_text, callback) { callback(new Error('the editor prompt is not part of the pgdr bundle')); }",
};
const stubs = {
  name: 'stubs',
  setup(b) {
    b.onResolve({ filter: /^(react-devtools-core|@inquirer\/external-editor)$/ }, (args) => ({
      path: args.path,
      namespace: 'pgdr-stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'pgdr-stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};

/**
 * The commands and everything they import, split at every dynamic import() into an entry and shared chunks.
 * Compiling 2.7 MB of JavaScript costs V8 150 ms or more (and running its top level as much again), so the launcher
 * keeps the chunks as strings and writes them out when a command first runs; each command then compiles only the
 * chunks it imports, and `pgdr --help` and `--version` none.
 */
const payload = await build({
  ...common,
  entryPoints: { entry: join(ROOT, 'src/cli/run-command.ts') },
  splitting: true,
  outdir: join(ROOT, 'dist/payload'),
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  // React's production builds: the development ones double the size.
  define: { 'process.env.NODE_ENV': '"production"', 'import.meta.url': 'globalThis.__pgdrBundleUrl' },
  // CommonJS dependencies (pg, the AWS SDK, react) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __pgdrCreateRequire } from 'node:module';\nconst require = __pgdrCreateRequire(globalThis.__pgdrBundleUrl);",
  },
  plugins: [embedAssets, stubs],
});
const payloadFiles = Object.fromEntries(
  payload.outputFiles
    .map((f) => [relative(join(ROOT, 'dist/payload'), f.path), f.text])
    .sort(([a], [b]) => a.localeCompare(b)),
);
const payloadBytes = Object.values(payloadFiles).reduce((n, text) => n + text.length, 0);
const digest = createHash('sha256');
for (const [name, text] of Object.entries(payloadFiles)) digest.update(name).update('\0').update(text).update('\0');

/** In the launcher, run-command.js is scripts/payload-loader.mjs, which imports the commands from the cache. */
const lazyPayload = {
  name: 'lazy-payload',
  setup(b) {
    b.onResolve({ filter: /^\.\/run-command\.js$/ }, () => ({ path: join(ROOT, 'scripts/payload-loader.mjs') }));
    b.onResolve({ filter: /^pgdr:payload$/ }, () => ({ path: 'payload', namespace: 'pgdr-payload' }));
    b.onLoad({ filter: /.*/, namespace: 'pgdr-payload' }, () => ({
      contents: `export const FILES = ${JSON.stringify(payloadFiles)};\nexport const DIGEST = ${JSON.stringify(digest.digest('hex').slice(0, 16))};`,
      loader: 'js',
    }));
  },
};

const launcher = await build({
  ...common,
  entryPoints: [join(ROOT, 'src/cli/main.ts')],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __pgdrCreateRequire } from 'node:module';\nconst require = __pgdrCreateRequire(import.meta.url);",
  },
  plugins: [lazyPayload],
});
mkdirSync(join(ROOT, 'dist'), { recursive: true });
// Atomically: bin/pgdr.mjs may be importing the previous one right now.
writeFileSync(`${OUT}.partial`, launcher.outputFiles[0].contents, { mode: 0o755 });
chmodSync(`${OUT}.partial`, 0o755);
renameSync(`${OUT}.partial`, OUT);
process.stdout.write(
  `dist/pgdr.mjs: ${(statSync(OUT).size / 1e6).toFixed(1)} MB (commands ${(payloadBytes / 1e6).toFixed(1)} MB in ${Object.keys(payloadFiles).length} chunks, each compiled only when a command imports it)\n`,
);
