/** `npm run demo`: the demo's compare, answered offline from the recording in fixtures/recording/. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoArguments } from './demo-arguments.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = spawnSync(
  process.execPath,
  ['bin/promptlab.js', ...demoArguments, '--replay', '--cache', 'fixtures/recording', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.exitCode = run.status ?? 1;
