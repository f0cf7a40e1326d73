import { describe, expect, it } from 'vitest';
import { formatEta, progressLine } from '../../src/render/progress-line.js';

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
    [counts([['cot', 29, 1]]), 50, 29_000, 'cot 29/50 (1 error) · ETA 21 s'],
  ])('%#: %s', (progress, total, elapsed, expected) => expect(progressLine(progress, total, elapsed)).toBe(expected));

  const five = counts([
    ['zero-shot', 12, 0],
    ['few-shot', 12, 0],
    ['in-context', 12, 0],
    ['cot', 10, 1],
    ['self-consistency', 9, 0],
  ]);

  it('keeps every strategy when the line fits the width', () => {
    expect(progressLine(five, 30, 11_000, 120)).toBe(
      'zero-shot 12/30 · few-shot 12/30 · in-context 12/30 · cot 10/30 (1 error) · self-consistency 9/30 · ETA 19 s',
    );
  });

  it('says the same in total when the strategies would not fit (five at 80 columns)', () => {
    expect(progressLine(five, 30, 11_000, 78)).toBe('5 strategies 55/150 (1 error) · ETA 19 s');
  });

  it.each([
    [8, '8 s'],
    [89, '89 s'],
    [240, '4 min'],
    [4320, '72 min'],
    [5400, '1 h 30 min'],
  ])('formatEta(%i) → %s', (seconds, expected) => expect(formatEta(seconds)).toBe(expected));
});
