/** The report's pure parts: Pareto front, prices, agreement levels, samples curve, escaping, label stacking. */
import { describe, expect, it } from 'vitest';
import { labelGroups } from '../../src/report/charts.js';
import { formatUsd } from '../../src/report/cell-format.js';
import { escapeHtml, jsonForScript } from '../../src/report/escape-html.js';
import { paretoFront } from '../../src/report/pareto.js';
import { costOf, parsePriceFlag, resolvePrices } from '../../src/report/prices.js';
import { accuracyByAgreement, accuracyBySamples, recordedJudge } from '../../src/report/sample-curves.js';
import { UsageError } from '../../src/errors.js';
import { resultRecord } from '../support/result-record.js';

describe('paretoFront', () => {
  it.each([
    ['one point', [[10, 0.5]], [true]],
    [
      'cheaper and better dominates',
      [
        [10, 0.8],
        [20, 0.7],
      ],
      [true, false],
    ],
    [
      'a trade-off keeps both',
      [
        [10, 0.5],
        [20, 0.7],
      ],
      [true, true],
    ],
    [
      'same cost, less accurate is dominated',
      [
        [10, 0.5],
        [10, 0.7],
      ],
      [false, true],
    ],
    [
      'same accuracy, dearer is dominated',
      [
        [10, 0.7],
        [12, 0.7],
      ],
      [true, false],
    ],
    [
      'identical points both stay',
      [
        [10, 0.7],
        [10, 0.7],
      ],
      [true, true],
    ],
    [
      'a chain',
      [
        [49, 0.53],
        [127, 0.7],
        [129, 0.7],
        [219, 0.87],
        [475, 1],
      ],
      [true, true, false, true, true],
    ],
  ])('%s', (_name, points, expected) => {
    expect(paretoFront(points.map(([cost, accuracy]) => ({ cost: cost!, accuracy: accuracy! })))).toEqual(expected);
  });
});

describe('prices', () => {
  it.each([
    ['gpt-4o-mini=0.15,0.6', 'gpt-4o-mini', { input: 0.15, output: 0.6 }],
    ['llama3.1:8b=0,0', 'llama3.1:8b', { input: 0, output: 0 }],
    [' groq:llama = 0.05 , 0.08 ', 'groq:llama', { input: 0.05, output: 0.08 }],
  ])('parses %s', (text, model, price) => {
    expect(parsePriceFlag(text)).toEqual([model, price]);
  });

  it.each(['gpt-4o', 'gpt-4o=1', 'gpt-4o=1,2,3', '=1,2', 'gpt-4o=-1,2', 'gpt-4o=a,b', 'gpt-4o=,2'])(
    'refuses %s naming --price',
    (text) => {
      expect(() => parsePriceFlag(text)).toThrow(UsageError);
      expect(() => parsePriceFlag(text)).toThrow(/^--price must be MODEL=IN,OUT/);
    },
  );

  it('lets a flag beat the config file for its model only', () => {
    const prices = resolvePrices(['a=1,2'], { a: { input: 9, output: 9 }, b: { input: 3, output: 4 } });
    expect(Object.fromEntries(prices)).toEqual({ a: { input: 1, output: 2 }, b: { input: 3, output: 4 } });
  });

  it('costs prompt and completion tokens at their own rates, per million', () => {
    expect(
      costOf({ promptTokens: 1000, completionTokens: 500, totalTokens: 1500 }, { input: 2, output: 8 }),
    ).toBeCloseTo(0.006, 12);
  });

  it.each([
    [0, '$0'],
    [1.5, '$1.50'],
    [0.05, '$0.050'],
    [0.0012, '$0.0012'],
    [12.345, '$12.35'],
  ])('formats %s as %s', (value, text) => {
    expect(formatUsd(value)).toBe(text);
  });
});

describe('accuracyByAgreement', () => {
  const voted = (agreement: number | null, correct: boolean) =>
    resultRecord({ votes: { '1': 1 }, agreement, correct, strategy: 'self-consistency' });

  it('puts each record in its level, boundaries included in the level they start', () => {
    const levels = accuracyByAgreement([
      voted(0.3, false),
      voted(0.4, true),
      voted(0.5, false),
      voted(3 / 5, true),
      voted(0.7, true),
      voted(4 / 5, true),
      voted(0.9, false),
      voted(1, true),
      voted(1, true),
      voted(null, false),
    ]);
    expect(levels.map((level) => [level.label, level.records, level.correct])).toEqual([
      ['< 40 %', 1, 0],
      ['40–59 %', 2, 1],
      ['60–79 %', 2, 2],
      ['80–99 %', 2, 1],
      ['100 %', 2, 2],
    ]);
    expect(levels[0]!.accuracy).toBe(0);
    expect(levels[4]!.accuracy).toBe(1);
  });

  it('leaves out errored and unscored records, and says null for an empty level', () => {
    const levels = accuracyByAgreement([
      resultRecord({ votes: {}, agreement: 1, error: 'timeout', correct: null }),
      resultRecord({ votes: { '1': 2 }, agreement: 1, expected: null, correct: null }),
    ]);
    expect(levels.every((level) => level.records === 0 && level.accuracy === null)).toBe(true);
  });
});

describe('accuracyBySamples', () => {
  const samples = (answers: Array<string | null>) =>
    answers.map((answer) => ({
      text: `The answer is ${answer}.`,
      answer,
      via: answer === null ? null : ('phrase' as const),
      finishReason: 'stop',
    }));
  const judge = recordedJudge({ type: 'number' }, 'numeric');

  it('re-votes the first k samples of each record, as score --max-samples k does', () => {
    const results = [
      // 7 wins at k = 1, loses to 8 at k = 3 (2 of 3), the record's own vote at k = 5 is 7 again
      resultRecord({
        id: 'a',
        expected: '7',
        answer: '7',
        correct: true,
        completions: samples(['7', '8', '8', '7', '7']),
      }),
      resultRecord({
        id: 'b',
        expected: '3',
        answer: '3',
        correct: true,
        completions: samples([null, '3', '4', '3', '3']),
      }),
      // errored: counts as wrong at every k, as the summary counts it
      resultRecord({ id: 'c', expected: '1', answer: null, correct: false, completions: [], error: 'timeout' }),
    ];
    const curve = accuracyBySamples(results, judge, { type: 'number' });
    expect(curve.map((point) => [point.k, point.correct, point.scored])).toEqual([
      [1, 1, 3],
      [2, 2, 3],
      [3, 1, 3],
      [4, 2, 3],
      [5, 2, 3],
    ]);
    expect(curve[4]!.ci95[0]).toBeLessThan(2 / 3);
  });

  it('votes the spellings of one text answer together, as the live vote does', () => {
    const textJudge = recordedJudge({ type: 'text' }, 'normalized');
    const record = resultRecord({
      id: 'a',
      expected: 'onea',
      answer: "'onea'",
      correct: true,
      completions: samples(['abc', "'onea'", '"onea"', 'onea']),
    });
    // k = 3: 'onea' twice against abc once, though no two of the three spellings are the same string.
    expect(accuracyBySamples([record], textJudge, { type: 'text' }).map((point) => point.correct)).toEqual([
      0, 0, 1, 1,
    ]);
  });

  it('uses every sample a record holds when it has fewer than k (early stopping)', () => {
    const results = [
      resultRecord({ id: 'a', expected: '5', answer: '5', correct: true, completions: samples(['5', '5']) }),
      resultRecord({
        id: 'b',
        expected: '5',
        answer: '6',
        correct: false,
        completions: samples(['6', '5', '5', '6', '6']),
      }),
    ];
    // b at k = 4 is a 2–2 tie, which goes to the answer seen first (6), as majorityVote breaks ties.
    expect(accuracyBySamples(results, judge, { type: 'number' }).map((point) => point.correct)).toEqual([
      1, 1, 2, 1, 1,
    ]);
  });

  it("keeps the run's own verdict for the record's answer, and matches other answers against expected", () => {
    const record = resultRecord({ expected: ['12', 'twelve'], answer: '12.0', correct: true });
    expect(judge(record, '12.0')).toBe(true);
    expect(judge(record, '12')).toBe(true);
    expect(judge(record, '13')).toBe(false);
    expect(judge(record, null)).toBe(false);
    // The run's verdict wins even where these flags would disagree with it.
    expect(
      recordedJudge({ type: 'text' }, 'exact')(resultRecord({ expected: '5', answer: '5.0', correct: true }), '5.0'),
    ).toBe(true);
    expect(judge(resultRecord({ expected: null, correct: null }), '1')).toBeNull();
  });
});

describe('escaping', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror="alert(1)">', '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'],
    ["Tom & Jerry's", 'Tom &amp; Jerry&#39;s'],
  ])('escapeHtml(%s)', (text, escaped) => {
    expect(escapeHtml(text)).toBe(escaped);
  });

  it('keeps JSON in a script element from closing it or opening a comment, and round-trips the value', () => {
    const value = { text: '</script><script>alert(1)</script><!-- a & b > c \u2028 \u2029' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('labelGroups', () => {
  // Positions across the plot in pixels, as the chart computes them; labels start 10 px right of their dot.
  const layout = { x: (point: { x: number }) => point.x, label: (point: { name: string }) => point.name, offset: 10 };
  const lines = (points: Array<{ name: string; x: number; accuracy: number }>) =>
    labelGroups(points, layout).map((group) => [group.dy, group.members.map((point) => point.name)]);

  it('stacks the labels of points that nearly coincide, and leaves the others on their first line', () => {
    expect(
      lines([
        { name: 'zero-shot', x: 0, accuracy: 0.53 },
        { name: 'few-shot', x: 210, accuracy: 0.7 },
        { name: 'in-context', x: 214, accuracy: 0.7 },
        { name: 'cot', x: 380, accuracy: 0.87 },
      ]),
    ).toEqual([
      [0, ['zero-shot', 'few-shot', 'cot']],
      [14, ['in-context']],
    ]);
  });

  it('stacks a label that would run into the next dot at the same accuracy, however far apart the costs', () => {
    // "careful · zero-shot" is about 134 px long from its dot: it reaches the dot 60 px to its right.
    expect(
      lines([
        { name: 'careful · zero-shot', x: 0, accuracy: 1 },
        { name: 'careful · cot-quick', x: 60, accuracy: 1 },
        { name: 'careful · sc-3', x: 300, accuracy: 1 },
        { name: 'sloppy · zero-shot', x: 0, accuracy: 0.5 },
      ]),
    ).toEqual([
      [0, ['careful · zero-shot', 'careful · sc-3', 'sloppy · zero-shot']],
      [14, ['careful · cot-quick']],
    ]);
  });
});
