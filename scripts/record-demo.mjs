/**
 * Makes the demo recording: runs the demo's `compare` against an endpoint with the cache pointed at
 * fixtures/recording/, so `npm run demo` can replay it offline.
 *   npm run demo:record                                   # the scripted demo server (what ships)
 *   npm run demo:record -- --base-url URL -m MODEL        # a real endpoint (add --api-key or OPENAI_API_KEY)
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from './demo-server.mjs';
import { demoArgumentsWith } from './demo-arguments.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const extra = process.argv.slice(2);
let server = null;
if (!extra.includes('--base-url')) {
  server = await startDemoServer();
  extra.push('--base-url', `http://127.0.0.1:${server.address().port}/v1`);
}
rmSync(new URL('../fixtures/recording', import.meta.url), { recursive: true, force: true });
// Asynchronous on purpose: the demo server answers from this very process.
const child = spawn(
  process.execPath,
  ['bin/promptlab.js', ...demoArgumentsWith(extra), '--cache', 'fixtures/recording'],
  { cwd: root, stdio: 'inherit' },
);
const status = await new Promise((resolve) => child.on('close', resolve));
server?.close();
process.exitCode = status ?? 1;
