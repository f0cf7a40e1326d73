/** `npm run demo`: the demo's compare, answered offline from the recording in fixtures/recording/. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoArgumentsWith } from './demo-arguments.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = spawnSync(
  process.execPath,
  ['bin/promptlab.js', ...demoArgumentsWith(process.argv.slice(2)), '--replay', '--cache', 'fixtures/recording'],
  { cwd: root, stdio: 'inherit' },
);
process.exitCode = run.status ?? 1;
