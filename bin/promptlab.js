#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// `promptlab --version` alone is answered before the CLI (commander, the registry) is loaded: it is the
// command scripts and people run to check the install, and it should cost no more than starting node.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // A dataset run keeps only running aggregates: its live heap stays near 20 MB at any size. V8 would
  // still let old space grow about 4× between full collections, so peak RSS rose with the run's length
  // (1k records 110 MiB, 30k 192 MiB). Growing it 20% at a time keeps RSS flat (100k: 137 MiB) for
  // about 10% more CPU. Not from the start, though: while the modules load, the heap grows from nothing,
  // and at 20% a step the extra collections put a run's first request about 65 ms later. One second in,
  // start-up is over; the setting only matters to runs that last. `npm run bench` measures both.
  setTimeout(() => setFlagsFromString('--heap-growing-percent=20'), 1000).unref();
  // dist/bundle/ is dist/cli/main.js bundled with its dependencies (scripts/bundle.mjs): a few files
  // to load instead of ~180, which is most of the time before a run's first request.
  const { main } = await import('../dist/bundle/main.js');

  // `promptlab ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  const code = await main(argv);
  // Interrupted: results are flushed; do not wait for an SDK retry sleep that cannot be cancelled.
  if (code === 130) process.exit(code);
  process.exitCode = code;
}
