#!/usr/bin/env node
/**
 * The second half of `npm run build`: bundles what tsc wrote (dist/cli/main.js and everything it
 * imports, dependencies included) into dist/bundle/, which bin/promptlab.js loads.
 *
 * Why: Node 20's ES module loader resolves, reads and links every file as its own asynchronous job.
 * A strategy run loaded about 180 files before its first request (openai alone is ~150), and that
 * loader work, not the code in them, was most of the 0.45 s to the first request. One entry file plus
 * one chunk per dynamic `import()` keeps each command loading only what it uses (`--help` never loads
 * openai or dotprompt), in a handful of files. `npm run bench` measures the difference.
 *
 * The chunks sit in dist/bundle/, two directories below the package root like dist/cli/*.js, so the
 * paths our code builds from `import.meta.url` (../../prompts, ../../package.json) stay right. Licence
 * comments of the bundled packages are kept (rolldown's default); their LICENSE files stay in
 * node_modules, where npm installed them.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/bundle`;

rmSync(outDir, { recursive: true, force: true });
const bundle = await rolldown({ input: `${root}dist/cli/main.js`, platform: 'node', logLevel: 'warn' });
await bundle.write({
  dir: outDir,
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // The strategy registry with its option declarations (and what they import: the flag parsers, the typed
  // errors) is loaded by every command, --help included: one file, not one per module shared differently.
  codeSplitting: { groups: [{ name: 'registry', test: /[\\/]dist[\\/]strategies[\\/](registry|options)\.js$/ }] },
});
await bundle.close();
