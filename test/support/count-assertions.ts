/**
 * Counts the `expect(...)` calls the suite executes, to compare two versions of the suite (a test that
 * moves must assert as much as before). Active only when PROMPTLAB_COUNT_ASSERTIONS names a file: after
 * each test file, one line `<count> <file>` is appended there, so the total is
 * `awk '{ sum += $1 } END { print sum }' FILE`. Loaded by vitest.config.ts as a setup file.
 *
 * Vitest counts assertions per test in `expect.getState().assertionCalls`, but resets that one number at
 * the start of every test, so with concurrent tests it cannot be read per test. Every `expect(...)` call
 * does store the count plus one, though, so this counts those stores, wherever they interleave.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

const target = process.env.PROMPTLAB_COUNT_ASSERTIONS;
const counter = Symbol.for('promptlab.assertionCounter');
type CountingGlobal = typeof globalThis & { [counter]?: { calls: number } };

if (target !== undefined && target !== '') {
  const global = globalThis as CountingGlobal;
  if (global[counter] === undefined) {
    const tally = { calls: 0 };
    global[counter] = tally;
    const states = (globalThis as Record<symbol, Map<unknown, { assertionCalls?: number }>>)[
      Symbol.for('matchers-object')
    ]!;
    // setState changes the stored object in place before storing it again, so the count stored last is
    // remembered here rather than read back.
    const lastStored = new Map<unknown, number | undefined>();
    const set = states.set.bind(states);
    states.set = (key, value) => {
      const before = lastStored.get(key);
      if (before !== undefined && value.assertionCalls === before + 1) tally.calls++;
      lastStored.set(key, value.assertionCalls);
      return set(key, value);
    };
  }
  let atStart = 0;
  beforeAll(() => {
    atStart = global[counter]!.calls;
  });
  afterAll(() => {
    appendFileSync(target, `${global[counter]!.calls - atStart} ${expect.getState().testPath ?? '?'}\n`);
  });
}
