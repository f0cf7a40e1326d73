import { describe, expect, it } from 'vitest';
import { stripAnsi, visibleWidth } from '../../src/render/colors.js';
import {
  formatAccuracy,
  formatCount,
  formatDeltaPoints,
  formatInterval,
  formatMean,
  formatMilliseconds,
  formatPValue,
} from '../../src/render/format.js';
import { formatTextTable } from '../../src/render/text-table.js';

describe('number formats', () => {
  it.each([
    [0.0667, '+6.7 pts'],
    [-0.15, '-15.0 pts'],
    [0, '+0.0 pts'],
    [-0.0004, '+0.0 pts'],
    [1, '+100.0 pts'],
  ])('formatDeltaPoints(%f) → %s', (delta, expected) => expect(formatDeltaPoints(delta)).toBe(expected));

  it.each([
    [1, '1'],
    [0.125, '0.125'],
    [0.0625, '0.063'],
    [0.001, '0.001'],
    [0.000999, '< 0.001'],
    [1e-30, '< 0.001'],
  ])('formatPValue(%f) → %s', (pValue, expected) => expect(formatPValue(pValue)).toBe(expected));

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
    [1234.5, '1,234.5'],
  ])('formatCount(%f) → %s', (value, expected) => expect(formatCount(value)).toBe(expected));

  it.each([
    [0.733, [0.55552, 0.85817], '73.3% [55.6–85.8]'],
    [1, [0.7225, 1], '100.0% [72.3–100.0]'],
    [null, null, 'n/a'],
  ] as const)('formatAccuracy(%s, %j) → %s', (accuracy, ci95, expected) => {
    expect(formatAccuracy(accuracy, ci95)).toBe(expected);
  });

  it('formats the rest', () => {
    expect(formatInterval([0, 0.2775])).toBe('[0.0–27.8]');
    expect(formatMilliseconds(1539.6)).toBe('1,540');
    expect([formatMean(1), formatMean(4.54), formatMean(0)]).toEqual(['1', '4.5', '0']);
  });
});

describe('text tables', () => {
  const red = (text: string): string => `\u001b[31m${text}\u001b[39m`;

  it('measures width without colour codes', () => {
    expect(stripAnsi(red('abc'))).toBe('abc');
    expect([visibleWidth(red('abc')), visibleWidth('73.3% [55.6–85.8]'), visibleWidth('✓')]).toEqual([3, 17, 1]);
  });

  it('aligns coloured cells exactly as plain ones', () => {
    const columns = [
      { header: 'name', align: 'left' as const },
      { header: 'n', align: 'right' as const },
      { header: 'note', align: 'left' as const },
    ];
    const plain = formatTextTable(columns, [
      ['a', '1', 'x'],
      ['longer', '100', 'yy'],
    ]);
    const coloured = formatTextTable(
      columns,
      [
        [red('a'), '1', red('x')],
        ['longer', red('100'), 'yy'],
      ],
      red,
    );
    expect(stripAnsi(coloured)).toBe(plain);
    expect(plain).toBe(['name      n  note', 'a         1  x', 'longer  100  yy'].join('\n'));
  });
});
