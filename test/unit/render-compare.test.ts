import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/records.js';
import { noColors, stripAnsi, type Colors } from '../../src/render/colors.js';
import { renderCompareMarkdown } from '../../src/render/compare-markdown.js';
import { renderCompareTable, renderScoreSummary } from '../../src/render/compare-table.js';
import { renderRunEstimate } from '../../src/render/run-estimate.js';
import { textWidth } from '../../src/render/text-width.js';
import { cellId, type Cell } from '../../src/core/cells.js';
import { shortBaselineDifference } from '../../src/render/summary-cells.js';
import { buildCompareReport } from '../../src/scoring/compare-report.js';
import { cellSummary, createSummaryAccumulator } from '../../src/scoring/summary.js';
import { resultRecord } from '../support/result-record.js';

function result(overrides: Partial<ResultRecord> & { id: string; strategy: string }): ResultRecord {
  return resultRecord({
    usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
    latencyMs: 400,
    ...overrides,
  });
}

/** 30 records; zero-shot gets q0..q17 right, cot q0..q21 plus one error, self-consistency all but one. */
function exampleReport() {
  const ids = Array.from({ length: 30 }, (_, index) => `q${index}`);
  const plans: Record<string, (index: number) => Partial<ResultRecord>> = {
    'zero-shot': (index) => ({ correct: index < 18, latencyMs: 300 + index }),
    cot: (index) => ({
      correct: index < 22,
      latencyMs: 1200 + 10 * index,
      usage: { promptTokens: 120, completionTokens: 180, totalTokens: 300 },
      ...(index === 29 ? { error: 'HTTP 500 after 2 retries', answer: null, correct: false } : {}),
      ...(index === 28
        ? {
            completions: [{ text: 'Step 1:', answer: null, via: null, finishReason: 'length' }],
            answer: null,
            correct: false,
          }
        : {}),
    }),
    'self-consistency': (index) => ({
      correct: index !== 5,
      latencyMs: 2500 + 20 * index,
      samplesUsed: index < 10 ? 3 : 5,
      requests: 1,
      usage: { promptTokens: 600, completionTokens: 900, totalTokens: 1500 },
    }),
  };
  const accumulators = Object.keys(plans).map((strategy) => createSummaryAccumulator(strategy));
  for (const accumulator of accumulators) {
    const strategy = accumulator.finish().strategy;
    for (const [index, id] of ids.entries()) accumulator.add(result({ id, strategy, ...plans[strategy]!(index) }));
  }
  const cellOf = (strategy: string): Cell => ({ model: 'test-model', strategy, variant: null });
  return buildCompareReport(
    accumulators.map((accumulator) => cellSummary(cellOf(accumulator.finish().strategy), accumulator.finish())),
    new Map(
      accumulators.map((accumulator) => [cellId(cellOf(accumulator.finish().strategy)), accumulator.correctness()]),
    ),
    cellOf('zero-shot'),
  );
}

/** Two models × (zero-shot, and cot in two variants): 10 records; model b is better at chain of thought. */
function matrixReport() {
  const ids = Array.from({ length: 10 }, (_, index) => `q${index}`);
  const cells: Array<Cell & { right: number }> = [
    { model: 'model-a', strategy: 'zero-shot', variant: null, right: 5 },
    { model: 'model-a', strategy: 'cot', variant: 'cot-plan', right: 6 },
    { model: 'model-a', strategy: 'cot', variant: 'cot-short', right: 5 },
    { model: 'model-b', strategy: 'zero-shot', variant: null, right: 5 },
    { model: 'model-b', strategy: 'cot', variant: 'cot-plan', right: 10 },
    { model: 'model-b', strategy: 'cot', variant: 'cot-short', right: 9 },
  ];
  const summaries = cells.map((cell) => {
    const accumulator = createSummaryAccumulator(cell.strategy);
    for (const [index, id] of ids.entries())
      accumulator.add(result({ id, strategy: cell.strategy, correct: index < cell.right }));
    return { cell, summary: cellSummary(cell, accumulator.finish()), correctness: accumulator.correctness() };
  });
  return buildCompareReport(
    summaries.map((entry) => entry.summary),
    new Map(summaries.map((entry) => [cellId(entry.cell), entry.correctness])),
    { model: 'model-a', strategy: 'zero-shot', variant: null },
  );
}

const tagColors: Colors = {
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
  green: (text) => `\u001b[32m${text}\u001b[39m`,
  red: (text) => `\u001b[31m${text}\u001b[39m`,
  yellow: (text) => `\u001b[33m${text}\u001b[39m`,
  cyan: (text) => `\u001b[36m${text}\u001b[39m`,
};

describe('renderCompareTable', () => {
  it('lays out every strategy against the baseline', () => {
    expect(renderCompareTable(exampleReport(), noColors)).toMatchInlineSnapshot(`
      "strategy           n  correct  accuracy [95% CI]  errors  requests  tokens  p50 ms  p95 ms  samples/rec  vs baseline
      zero-shot         30       18  60.0% [42.3–75.4]       0        30   3,600     315     328            1  (baseline)
      cot               30       22  73.3% [55.6–85.8]       1        30   9,000   1,345   1,476            1  +13.3 pts (4 better, 0 worse), p = 0.125, not significant
      self-consistency  30       29  96.7% [83.3–99.4]       0        30  45,000   2,790   3,051          4.3  +36.7 pts (12 better, 1 worse), p = 0.003, significant

      cot: 1 answer could not be extracted
      cot: 1 record hit the token limit (finishReason "length")

      Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each strategy with zero-shot on the records both scored, with a two-sided exact McNemar test (α = 0.05)."
    `);
  });

  it('aligns the same with colour on, and colours significant differences', () => {
    const coloured = renderCompareTable(exampleReport(), tagColors);
    expect(stripAnsi(coloured)).toBe(renderCompareTable(exampleReport(), noColors));
    expect(coloured).toContain('\u001b[32m+36.7 pts (12 better, 1 worse), p = 0.003, significant\u001b[39m');
    expect(coloured).toContain('\u001b[2m(baseline)\u001b[22m');
  });

  it('fits 80 columns: "vs baseline" compact, then the least telling columns go', () => {
    const fitted = renderCompareTable(exampleReport(), noColors, 80);
    expect(fitted).toMatchInlineSnapshot(`
      "strategy           n  accuracy [95% CI]  errors  tokens  vs baseline
      zero-shot         30  60.0% [42.3–75.4]       0   3,600  baseline
      cot               30  73.3% [55.6–85.8]       1   9,000  +13.3 pt p=.13
      self-consistency  30  96.7% [83.3–99.4]       0  45,000  +36.7 pt p=.003*

      cot: 1 answer could not be extracted
      cot: 1 record hit the token limit (finishReason "length")

      Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each
      strategy with zero-shot on the records both scored, with a two-sided exact
      McNemar test (α = 0.05). * significant at α = 0.05."
    `);
    expect(Math.max(...fitted.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it('keeps every column at 160 columns, and wraps nothing', () => {
    expect(renderCompareTable(exampleReport(), noColors, 160).split('\n')[0]).toBe(
      renderCompareTable(exampleReport(), noColors).split('\n')[0],
    );
  });

  it.each([
    [0.125, 0.133, false, '+13.3 pt p=.13'],
    [0.003, 0.367, true, '+36.7 pt p=.003*'],
    [0.0000004, -0.2, true, '-20.0 pt p<.001*'],
    [1, 0, false, '+0.0 pt p=1'],
  ])('the compact difference for p = %f, delta %f', (pValue, delta, significant, expected) => {
    const difference = { strategy: 'cot', delta, pValue, better: 1, worse: 1, significant };
    expect(shortBaselineDifference(difference)).toBe(expected);
  });

  it('says "not significant" in plain words when p ≥ alpha', () => {
    const report = exampleReport();
    const cotLine = renderCompareTable(report, noColors)
      .split('\n')
      .find((line) => line.startsWith('cot '));
    // 4 better, 0 worse: 2 · (½)^4
    expect(report.strategies[1]?.vsBaseline?.pValue).toBe(0.125);
    expect(cotLine).toMatch(/ \+13\.3 pts \(4 better, 0 worse\), p = 0\.125, not significant$/);
  });
});

describe('a matrix of models and variants', () => {
  it('adds model and variant columns, names the baseline cell, and pairs every cell with it', () => {
    expect(renderCompareTable(matrixReport(), noColors)).toMatchInlineSnapshot(`
      "model    strategy   variant     n  correct    accuracy [95% CI]  errors  requests  tokens  p50 ms  p95 ms  samples/rec  vs baseline
      model-a  zero-shot             10        5    50.0% [23.7–76.3]       0        10   1,200     400     400            1  (baseline)
      model-a  cot        cot-plan   10        6    60.0% [31.3–83.2]       0        10   1,200     400     400            1  +10.0 pts (1 better, 0 worse), p = 1, not significant
      model-a  cot        cot-short  10        5    50.0% [23.7–76.3]       0        10   1,200     400     400            1  +0.0 pts (0 better, 0 worse), p = 1, not significant
      model-b  zero-shot             10        5    50.0% [23.7–76.3]       0        10   1,200     400     400            1  +0.0 pts (0 better, 0 worse), p = 1, not significant
      model-b  cot        cot-plan   10       10  100.0% [72.2–100.0]       0        10   1,200     400     400            1  +50.0 pts (5 better, 0 worse), p = 0.063, not significant
      model-b  cot        cot-short  10        9    90.0% [59.6–98.2]       0        10   1,200     400     400            1  +40.0 pts (4 better, 0 worse), p = 0.125, not significant

      Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each row with model-a/zero-shot on the records both scored, with a two-sided exact McNemar test (α = 0.05)."
    `);
  });

  it('writes the same columns in Markdown', () => {
    const markdown = renderCompareMarkdown(matrixReport());
    expect(markdown).toContain('### promptlab compare (baseline: model-a/zero-shot)');
    expect(markdown).toContain('| model | strategy | variant | n | correct |');
    expect(markdown).toMatch(/^\| model-b \| cot \| cot-plan \| 10 \| 10 \| .*\+50\.0 pts \(5 better, 0 worse\)/m);
    expect(markdown).toMatch(/^\| model-a \| zero-shot \| {2}\| 10 \| 5 \| .*\| \(baseline\) \|$/m);
  });
});

describe('renderCompareMarkdown', () => {
  it('renders a GitHub table with a line on the tests used', () => {
    expect(renderCompareMarkdown(exampleReport())).toMatchInlineSnapshot(`
      "### promptlab compare (baseline: zero-shot)

      | strategy | n | correct | accuracy [95% CI] | errors | requests | tokens | p50 ms | p95 ms | samples/rec | vs baseline |
      | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
      | zero-shot | 30 | 18 | 60.0% [42.3–75.4] | 0 | 30 | 3,600 | 315 | 328 | 1 | (baseline) |
      | cot | 30 | 22 | 73.3% [55.6–85.8] | 1 | 30 | 9,000 | 1,345 | 1,476 | 1 | +13.3 pts (4 better, 0 worse), p = 0.125, not significant |
      | self-consistency | 30 | 29 | 96.7% [83.3–99.4] | 0 | 30 | 45,000 | 2,790 | 3,051 | 4.3 | +36.7 pts (12 better, 1 worse), p = 0.003, significant |

      - cot: 1 answer could not be extracted
      - cot: 1 record hit the token limit (finishReason "length")

      Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each strategy with zero-shot on the records both scored, with a two-sided exact McNemar test (α = 0.05).
      "
    `);
  });

  it('escapes pipes in cells', () => {
    const report = exampleReport();
    report.strategies[0] = { ...report.strategies[0]!, strategy: 'a|b' };
    expect(renderCompareMarkdown(report)).toContain('| a\\|b | 30 |');
  });
});

describe('renderScoreSummary', () => {
  it('prints one strategy as labelled lines', () => {
    expect(renderScoreSummary(exampleReport().strategies[1]!, noColors)).toMatchInlineSnapshot(`
      "strategy     cot
      records      30 (30 scored)
      correct      22
      accuracy     73.3% [55.6–85.8] (95% Wilson interval)
      errors       1
      requests     30
      tokens       9,000 (3,600 prompt, 5,400 completion)
      latency      p50 1,345 ms, p95 1,476 ms
      samples/rec  1
      cot: 1 answer could not be extracted
      cot: 1 record hit the token limit (finishReason "length")"
    `);
  });

  it('prints n/a when nothing was scored', () => {
    const accumulator = createSummaryAccumulator('cot');
    accumulator.add(result({ id: 'a', strategy: 'cot', expected: null, correct: null }));
    expect(renderScoreSummary(accumulator.finish(), noColors).split('\n')[3]).toBe('accuracy     n/a');
  });
});

describe('renderRunEstimate', () => {
  const view = {
    records: 30,
    models: ['m'],
    entries: ['zero-shot', 'cot'],
    cells: [
      { model: 'm', strategy: 'zero-shot', variant: null, requests: 30, promptTokens: 1323 },
      { model: 'm', strategy: 'cot', variant: null, requests: 30, promptTokens: 1524 },
    ],
    estimate: { requests: 60, promptTokens: 2847 },
    basis: 'an estimate: prompt tokens ≈ characters / 4 of the rendered messages; completion tokens are not estimated',
  };

  it('wraps the basis at spaces to the width it is given, and keeps it on one line without one', () => {
    const narrow = renderRunEstimate(view, noColors, 40).split('\n');
    expect(narrow.every((line) => textWidth(line) <= 40)).toBe(true);
    expect(narrow.slice(-4).join(' ')).toBe(`Nothing was sent. A${view.basis.slice(1)}.`);
    expect(renderRunEstimate(view, noColors).split('\n').at(-1)).toBe(`Nothing was sent. A${view.basis.slice(1)}.`);
  });
});
