import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/render/colors.js';
import {
  formatAccuracy,
  formatCount,
  formatDeltaPoints,
  formatInterval,
  formatMean,
  formatMilliseconds,
  formatPValue,
} from '../../src/render/format.js';
import { fitTextTable, formatTextTable, type FittedColumn } from '../../src/render/text-table.js';
import { clipToWidth, textWidth, usableColumns, wrapToWidth } from '../../src/render/text-width.js';

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
    expect([textWidth(red('abc')), textWidth('73.3% [55.6–85.8]'), textWidth('✓')]).toEqual([3, 17, 1]);
  });

  it.each([
    ['plain', 'abc', 3],
    ['wide (CJK takes two columns)', '漢字', 4],
    ['combining accent takes none', 'e\u0301', 1],
    ['emoji', '🙂', 2],
  ])('textWidth: %s', (_name, text, width) => expect(textWidth(text)).toBe(width));

  it.each([
    ['fits', 'abcdef', 6, 'abcdef'],
    ['cut with an ellipsis', 'abcdefgh', 5, 'abcd…'],
    ['wide characters never split', '漢字漢字', 5, '漢字…'],
    ['nothing left', 'abc', 0, ''],
  ])('clipToWidth: %s', (_name, text, width, expected) => {
    expect(clipToWidth(text, width)).toBe(expected);
    expect(textWidth(clipToWidth(text, width))).toBeLessThanOrEqual(width);
  });

  it('clips coloured text without splitting a colour code, and resets the colour it cut', () => {
    const clipped = clipToWidth(red('abcdefgh'), 4);
    expect(stripAnsi(clipped)).toBe('abc…');
    expect(clipped).toBe('\u001b[31mabc…\u001b[0m');
  });

  it.each([
    [undefined, 80],
    [0, 80],
    [-1, 80],
    [132, 132],
  ])('usableColumns(%s) → %i', (columns, expected) => expect(usableColumns(columns)).toBe(expected));

  it('wraps prose at spaces within the width', () => {
    expect(wrapToWidth('one two three four five', 9)).toEqual(['one two', 'three', 'four five']);
    expect(wrapToWidth('unbreakable-word here', 5)).toEqual(['unbreakable-word', 'here']);
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

describe('fitTextTable', () => {
  const columns: FittedColumn[] = [
    { header: 'name', align: 'left' },
    { header: 'detail', align: 'right', dropAt: 20 },
    { header: 'count', align: 'right', dropAt: 10 },
    { header: 'verdict', align: 'left', compact: { at: 5, header: 'v' } },
  ];
  const rows = [
    ['alpha', 'some detail', '12', { full: 'much better, p = 0.01', compact: '+4 p=.01' }],
    ['beta', 'more', '3', { full: 'worse', compact: '-2' }],
  ];
  const widest = (text: string) => Math.max(...text.split('\n').map(textWidth));

  it('leaves the table whole without a width, or when it fits', () => {
    const whole = fitTextTable(columns, rows, null);
    expect(whole.text.split('\n')[0]).toBe('name        detail  count  verdict');
    expect(fitTextTable(columns, rows, 200)).toEqual(whole);
    expect(whole.states).toEqual(['full', 'full', 'full', 'full']);
  });

  it.each([
    [48, ['full', 'full', 'full', 'full']],
    [47, ['full', 'full', 'full', 'compact']],
    [35, ['full', 'full', 'full', 'compact']],
    [34, ['full', 'full', 'dropped', 'compact']],
    [27, ['full', 'dropped', 'dropped', 'compact']],
  ])('at %i columns takes the steps in order until it fits: %j', (width, states) => {
    const fitted = fitTextTable(columns, rows, width);
    expect(fitted.states).toEqual(states);
    expect(widest(fitted.text)).toBeLessThanOrEqual(width);
  });

  it('cuts a flexible column to the room left, then cuts lines as a last resort', () => {
    const described: FittedColumn[] = [
      { header: 'name', align: 'left' },
      { header: 'description', align: 'left', flexible: true },
    ];
    const long = [['a', 'a description that runs on far longer than any terminal is wide']];
    const fitted = fitTextTable(described, long, 30);
    expect(fitted.text.split('\n')[1]).toBe('a     a description that runs…');
    expect(widest(fitTextTable(described, long, 6).text)).toBeLessThanOrEqual(6);
  });
});
