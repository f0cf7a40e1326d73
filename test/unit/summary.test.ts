import { describe, expect, it } from 'vitest';
import { cellId } from '../../src/core/cells.js';
import type { ResultRecord } from '../../src/core/records.js';
import { UsageError } from '../../src/errors.js';
import { buildCompareReport, pairedComparison } from '../../src/scoring/compare-report.js';
import {
  cellSummary,
  createSummaryAccumulator,
  summarizeResults,
  type CellSummary,
} from '../../src/scoring/summary.js';
import { resultRecord } from '../support/result-record.js';

function result(overrides: Partial<ResultRecord> & { id: string }): ResultRecord {
  return resultRecord({
    answer: 'x',
    expected: null,
    correct: null,
    completions: [{ text: 'x', answer: 'x', via: 'fallback', finishReason: 'stop' }],
    ...overrides,
  });
}

const mixedResults: ResultRecord[] = [
  result({ id: 'a', expected: '1', answer: '1', correct: true, latencyMs: 100 }),
  result({
    id: 'b',
    expected: '2',
    answer: '3',
    correct: false,
    latencyMs: 200,
    completions: [{ text: 'so the answer is 3 because', answer: '3', via: 'phrase', finishReason: 'length' }],
  }),
  result({
    id: 'c',
    expected: '3',
    answer: null,
    correct: null,
    error: 'timeout after 30s',
    latencyMs: 300,
    requests: 3,
  }),
  result({ id: 'd', expected: null, answer: 'x', correct: null, latencyMs: 400 }),
  result({ id: 'e', expected: ['5', 'five'], answer: null, correct: false, latencyMs: 500, samplesUsed: 5 }),
];

describe('createSummaryAccumulator', () => {
  it('summarises nothing as zeros and nulls', () => {
    expect(createSummaryAccumulator('zero-shot').finish()).toEqual({
      strategy: 'zero-shot',
      n: 0,
      correct: 0,
      accuracy: null,
      ci95: null,
      scored: 0,
      errors: 0,
      extractionFailures: 0,
      truncated: 0,
      requests: 0,
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      latencyMs: { p50: 0, p95: 0 },
      samplesUsed: 0,
    });
  });

  it('counts scored, correct, errors, extraction failures and truncation separately', () => {
    const summary = summarizeResults('cot', mixedResults);
    expect(summary).toMatchObject({
      strategy: 'cot',
      n: 5,
      scored: 4, // d has no expected answer; c errored but had one, so it counts as wrong
      correct: 1,
      accuracy: 0.25,
      errors: 1,
      extractionFailures: 1, // e: no error, no answer (c's missing answer is the error's)
      truncated: 1,
      requests: 7,
      usage: { promptTokens: 50, completionTokens: 25, totalTokens: 75 },
      latencyMs: { p50: 300, p95: 480 },
      samplesUsed: 8 / 4, // the mean over the four records without an error: c's try is not a sample
    });
    expect(summary.ci95?.[0]).toBeCloseTo(0.0456, 4);
    expect(summary.ci95?.[1]).toBeCloseTo(0.6994, 4);
  });

  it('maps each id to its correctness, null when there was nothing to score', () => {
    const accumulator = createSummaryAccumulator('cot');
    for (const record of mixedResults) accumulator.add(record);
    expect([...accumulator.correctness()]).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
      ['d', null],
      ['e', false],
    ]);
  });

  it('treats an empty list of expected answers as unknown', () => {
    const summary = summarizeResults('cot', [result({ id: 'a', expected: [], correct: null })]);
    expect([summary.scored, summary.accuracy]).toEqual([0, null]);
  });

  it('keeps exact latency percentiles past the initial buffer size', () => {
    const records = Array.from({ length: 1000 }, (_, index) => result({ id: String(index), latencyMs: 999 - index }));
    // numpy.percentile(range(1000), [50, 95]) → [499.5, 949.05]
    const { latencyMs } = summarizeResults('cot', records);
    expect(latencyMs.p50).toBeCloseTo(499.5, 9);
    expect(latencyMs.p95).toBeCloseTo(949.05, 9);
  });

  it('can finish more than once, and adding after finishing carries on', () => {
    const accumulator = createSummaryAccumulator('cot');
    accumulator.add(mixedResults[0]!);
    const first = accumulator.finish();
    first.usage.totalTokens = 999;
    expect(accumulator.finish().usage.totalTokens).toBe(15);
    accumulator.add(mixedResults[1]!);
    expect(accumulator.finish()).toMatchObject({ n: 2, correct: 1, accuracy: 0.5 });
  });
});

const correctness = (entries: Record<string, boolean | null>): Map<string, boolean | null> =>
  new Map(Object.entries(entries));

describe('pairedComparison', () => {
  it.each([
    // baseline, other → better, worse, pairs, delta, pValue
    [{}, {}, 0, 0, 0, 0, 1],
    [{ a: true, b: false }, { a: true, b: false }, 0, 0, 2, 0, 1],
    [
      { a: false, b: false, c: false, d: false, e: false },
      { a: true, b: true, c: true, d: true, e: true },
      5,
      0,
      5,
      1,
      0.0625,
    ],
    [
      { a: true, b: true, c: true, d: true, e: true },
      { a: false, b: false, c: false, d: false, e: false },
      0,
      5,
      5,
      -1,
      0.0625,
    ],
    // d is unscored in the baseline, f only in other, g only in the baseline: none of them pair
    [
      { a: true, b: false, c: true, d: null, e: false, g: true },
      { a: true, b: true, c: false, d: true, e: true, f: true },
      2,
      1,
      4,
      0.25,
      1,
    ],
  ])('%j vs %j', (baseline, other, better, worse, pairs, delta, pValue) => {
    expect(pairedComparison(correctness(baseline), correctness(other))).toEqual({
      better,
      worse,
      pairs,
      delta,
      pValue,
    });
  });
});

describe('buildCompareReport', () => {
  const cell = (strategy: string, model = 'test-model') => ({ model, strategy, variant: null });
  const summaryOf = (strategy: string, records: Record<string, boolean | null>): CellSummary =>
    cellSummary(
      cell(strategy),
      summarizeResults(
        strategy,
        Object.entries(records).map(([id, correct]) =>
          result({ id, strategy, expected: correct === null ? null : 'x', correct }),
        ),
      ),
    );
  const zeroShot = { a: false, b: false, c: false, d: false, e: false, f: true, g: null };
  const cot = { a: true, b: true, c: true, d: true, e: true, f: true, g: null };
  const fewShot = { a: true, b: false, c: false, d: false, e: false, f: true, g: true };
  const summaries = [summaryOf('zero-shot', zeroShot), summaryOf('cot', cot), summaryOf('few-shot', fewShot)];
  const correctnessByStrategy = new Map([
    [cellId(cell('zero-shot')), correctness(zeroShot)],
    [cellId(cell('cot')), correctness(cot)],
    [cellId(cell('few-shot')), correctness(fewShot)],
  ]);

  it('compares every strategy but the baseline, paired by id', () => {
    const report = buildCompareReport(summaries, correctnessByStrategy, cell('zero-shot'));
    expect(report.schema).toBe('promptlab.compare/v1');
    expect(report).toMatchObject({ baselineStrategy: 'zero-shot', baselineModel: 'test-model', baselineVariant: null });
    expect(report.alpha).toBe(0.05);
    const versus = { strategy: 'zero-shot', model: 'test-model', variant: null };
    expect(report.strategies.map((summary) => summary.vsBaseline)).toEqual([
      undefined,
      { ...versus, delta: 5 / 6, pValue: 0.0625, better: 5, worse: 0, significant: false },
      { ...versus, delta: 1 / 6, pValue: 1, better: 1, worse: 0, significant: false },
    ]);
    expect('vsBaseline' in report.strategies[0]!).toBe(false);
  });

  it('calls a difference significant when p < alpha', () => {
    const report = buildCompareReport(summaries, correctnessByStrategy, cell('zero-shot'), 0.1);
    expect(report.strategies.map((summary) => summary.vsBaseline?.significant)).toEqual([undefined, true, false]);
  });

  it('leaves the summaries it was given alone', () => {
    buildCompareReport(summaries, correctnessByStrategy, cell('cot'));
    expect(summaries.every((summary) => summary.vsBaseline === undefined)).toBe(true);
  });

  it('refuses a baseline that is not among the cells', () => {
    expect(() => buildCompareReport(summaries, correctnessByStrategy, cell('tot'))).toThrow(
      new UsageError('the baseline tot is not one of the cells compared (zero-shot, cot, few-shot)'),
    );
  });

  it('pairs each cell of a matrix with the baseline cell, by model and variant', () => {
    const other = { ...summaryOf('cot', cot), model: 'other' };
    const report = buildCompareReport(
      [summaries[0]!, other],
      new Map([
        [cellId(cell('zero-shot')), correctness(zeroShot)],
        [cellId(cell('cot', 'other')), correctness(cot)],
      ]),
      cell('zero-shot'),
    );
    expect(report.strategies[1]).toMatchObject({
      model: 'other',
      strategy: 'cot',
      vsBaseline: { model: 'test-model', strategy: 'zero-shot', variant: null, better: 5, worse: 0 },
    });
  });
});
