import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/compare-command.js';

const counts = (entries: Array<[string, number, number]>) =>
  new Map(entries.map(([name, done, errors]) => [name, { done, errors }]));

describe('progressLine', () => {
  it.each([
    [counts([['zero-shot', 0, 0]]), null, 0, 'zero-shot 0'],
    [
      counts([
        ['zero-shot', 3, 0],
        ['cot', 1, 1],
      ]),
      null,
      1000,
      'zero-shot 3 · cot 1 (1 error)',
    ],
    // 4 of 20 done in 2 s → 16 left at 0.5 s each = 8 s
    [
      counts([
        ['zero-shot', 3, 0],
        ['cot', 1, 2],
      ]),
      10,
      2000,
      'zero-shot 3/10 · cot 1/10 (2 errors) · ETA 8 s',
    ],
    [counts([['cot', 10, 0]]), 10, 5000, 'cot 10/10 · ETA 0 s'],
  ])('%#: %s', (progress, total, elapsed, expected) => expect(progressLine(progress, total, elapsed)).toBe(expected));
});
