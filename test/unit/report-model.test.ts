/** Reading saved outputs into cells, and the report model and page built from them. */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { cellId } from '../../src/core/cells.js';
import type { ResultRecord } from '../../src/core/records.js';
import { InputError } from '../../src/errors.js';
import { renderCharts } from '../../src/report/charts.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { buildReportModel, type ReportOptions } from '../../src/report/report-model.js';
import { readSavedOutput, type SavedOutput } from '../../src/report/saved-output.js';
import { buildCompareReport } from '../../src/scoring/compare-report.js';
import { cellSummary, createSummaryAccumulator } from '../../src/scoring/summary.js';
import { resultRecord } from '../support/result-record.js';

const options: ReportOptions = { prices: new Map(), answer: { type: 'number' }, match: 'numeric' };

/** Ten records; zero-shot right on the first `zeroShotRight`, cot right on all but the last. */
function compareResults(zeroShotRight = 5): ResultRecord[] {
  return Array.from({ length: 10 }, (_, index) => [
    resultRecord({
      id: `r${index}`,
      strategy: 'zero-shot',
      expected: String(index),
      answer: index < zeroShotRight ? String(index) : String(index + 1),
      correct: index < zeroShotRight,
      usage: { promptTokens: 40, completionTokens: 10, totalTokens: 50 },
    }),
    resultRecord({
      id: `r${index}`,
      strategy: 'cot',
      expected: String(index),
      answer: index < 9 ? String(index) : null,
      correct: index < 9,
      usage: { promptTokens: 60, completionTokens: 140, totalTokens: 200 },
    }),
  ]).flat();
}

const lines = (values: unknown[]): string => `${values.map((value) => JSON.stringify(value)).join('\n')}\n`;

describe('readSavedOutput', () => {
  const results = compareResults();
  const summaries = [
    { schema: 'promptlab.summary/v1', strategy: 'cot' },
    { schema: 'promptlab.summary/v1', strategy: 'zero-shot', vsBaseline: { strategy: 'cot' } },
  ];

  it.each([
    [
      'a compare --json document',
      JSON.stringify({ schema: 'promptlab.compare/v1', alpha: 0.01, strategies: summaries, results }, null, 2),
      20,
      2,
    ],
    ['compare --jsonl lines', lines([...results, ...summaries]), 20, 2],
    [
      'a run --json document',
      JSON.stringify(
        { schema: 'promptlab.run/v1', strategy: 'cot', summary: {}, results: results.slice(0, 4) },
        null,
        2,
      ),
      4,
      1,
    ],
    ['run --jsonl lines', lines(results.slice(0, 3)), 3, 0],
    ['a one-input run (one record, pretty-printed)', JSON.stringify(results[0], null, 2), 1, 0],
  ])('reads %s', (_name, text, resultCount, summaryCount) => {
    const saved = readSavedOutput(text, 'saved.json');
    expect(saved.results).toHaveLength(resultCount);
    expect(saved.summaries).toHaveLength(summaryCount);
  });

  it('keeps the alpha a compare document names', () => {
    expect(readSavedOutput(JSON.stringify({ alpha: 0.01, strategies: [], results }), 'x').alpha).toBe(0.01);
  });

  it('keeps the last line of a record written twice (a resumed run), in the place of the first', () => {
    const errored = resultRecord({ id: 'a', answer: null, correct: false, error: 'timeout' });
    const answered = resultRecord({ id: 'a' });
    const saved = readSavedOutput(lines([errored, resultRecord({ id: 'b' }), answered]), 'x');
    expect(saved.results.map((result) => [result.id, result.error])).toEqual([
      ['a', null],
      ['b', null],
    ]);
  });

  it.each([
    ['a line that is not JSON', `${JSON.stringify(results[0])}\n{oops\n`, /^runs\.jsonl:2: not valid JSON/],
    [
      'a line of something else',
      `${JSON.stringify(results[0])}\n{"hello":1}\n`,
      /^runs\.jsonl:2: not a promptlab\.result\/v1 record/,
    ],
    ['a record missing a field', lines([{ ...results[0], usage: undefined }]), /^runs\.jsonl: usage: /],
    ['another JSON document', '{"data": [1, 2]}', /^runs\.jsonl: not a promptlab output/],
    ['an empty file', '\n\n', /^runs\.jsonl: no result records or summaries/],
  ])('refuses %s, naming the file (and line)', (_name, text, message) => {
    expect(() => readSavedOutput(text, 'runs.jsonl')).toThrow(InputError);
    expect(() => readSavedOutput(text, 'runs.jsonl')).toThrow(message);
  });
});

describe('buildReportModel', () => {
  const saved = (results: ResultRecord[], summaries: SavedOutput['summaries'] = []): SavedOutput => ({
    results,
    summaries,
    alpha: null,
  });

  it('recomputes each cell as compare does: the same summary and the same paired test', () => {
    const results = compareResults(2);
    const model = buildReportModel(saved(results), options);
    const accumulators = new Map(['zero-shot', 'cot'].map((name) => [name, createSummaryAccumulator(name)]));
    for (const result of results) accumulators.get(result.strategy)!.add(result);
    const cellOf = (strategy: string) => ({ model: results[0]!.model, strategy, variant: null });
    const compare = buildCompareReport(
      [...accumulators].map(([name, accumulator]) => cellSummary(cellOf(name), accumulator.finish())),
      new Map([...accumulators].map(([name, accumulator]) => [cellId(cellOf(name)), accumulator.correctness()])),
      cellOf('zero-shot'),
    );
    expect(model.cells.map((cell) => cell.label)).toEqual(['zero-shot', 'cot']);
    expect(model.cells.map((cell) => cell.summary.accuracy)).toEqual([0.2, 0.9]);
    expect(model.cells[1]!.vsBaseline).toMatchObject({
      pValue: compare.strategies[1]!.vsBaseline!.pValue,
      better: 7,
      worse: 0,
      significant: true,
    });
    expect(model.cells[0]!.vsBaseline).toBeNull();
    expect(model.cells.map((cell) => cell.tokensPerRecord)).toEqual([50, 200]);
    expect(model.costAxis).toBe('tokens');
  });

  it("takes the run's baseline from its summaries: the entry without vsBaseline, in the summaries' order", () => {
    const model = buildReportModel(
      saved(compareResults(), [{ strategy: 'cot' }, { strategy: 'zero-shot', vsBaseline: { strategy: 'cot' } }]),
      options,
    );
    expect(model.cells.map((cell) => cell.label)).toEqual(['cot', 'zero-shot']);
    expect(model.baseline).toBe(0);
    expect(model.cells[1]!.vsBaseline?.delta).toBeCloseTo(-0.4, 12);
  });

  it('keys cells by (model, strategy, variant), and names the model when there are several', () => {
    const results = [
      resultRecord({ id: '1', model: 'small', strategy: 'cot' }),
      resultRecord({ id: '1', model: 'large', strategy: 'cot' }),
      resultRecord({ id: '1', model: 'large', strategy: 'self-consistency', variant: 'sc-5' }),
      resultRecord({ id: '1', model: 'large', strategy: 'self-consistency', variant: 'sc-10' }),
    ];
    const model = buildReportModel(
      saved(results, [
        { strategy: 'cot', model: 'large', variant: null, vsBaseline: { strategy: 'cot', model: 'small' } },
        { strategy: 'cot', model: 'small', variant: null },
      ]),
      options,
    );
    expect(model.cells.map((cell) => cell.label)).toEqual([
      'large · cot',
      'small · cot',
      'large · sc-5',
      'large · sc-10',
    ]);
    expect(model.cells[model.baseline]!.label).toBe('small · cot');
    expect(model.records).toHaveLength(1);
    expect(model.records[0]!.outcomes.every((outcome) => outcome !== null)).toBe(true);
  });

  it('puts cost on the axis when every model has a price, and says which have none otherwise', () => {
    const priced = buildReportModel(saved(compareResults()), {
      ...options,
      prices: new Map([['test-model', { input: 1, output: 10 }]]),
    });
    expect(priced.costAxis).toBe('usd');
    // zero-shot: 40 × $1 + 10 × $10 per million = $0.00014 per record
    expect(priced.cells[0]!.costPerRecord).toBeCloseTo(0.00014, 12);
    expect(priced.notes).toEqual([]);
    const unpriced = buildReportModel(saved(compareResults()), {
      ...options,
      prices: new Map([['other-model', { input: 1, output: 1 }]]),
    });
    expect(unpriced.costAxis).toBe('tokens');
    expect(unpriced.notes).toEqual([
      'no price for test-model: the chart shows tokens per record, not cost',
      '--price other-model: no result in this file is from that model',
    ]);
  });

  it('marks records where cells disagree, where one is wrong, and where one failed', () => {
    const model = buildReportModel(saved(compareResults(5)), options);
    const flags = (id: string) => {
      const row = model.records.find((each) => each.id === id)!;
      return { disagree: row.disagree, wrong: row.wrong, failed: row.failed };
    };
    expect(flags('r0')).toEqual({ disagree: false, wrong: false, failed: false });
    expect(flags('r5')).toEqual({ disagree: true, wrong: true, failed: false });
    expect(flags('r9')).toEqual({ disagree: true, wrong: true, failed: true });
  });

  it('draws self-consistency curves only for cells whose records carry votes, and warns when the flags misjudge the run', () => {
    const voted = resultRecord({
      strategy: 'self-consistency',
      expected: '4',
      answer: '4',
      correct: true,
      votes: { '4': 2, '5': 1 },
      agreement: 2 / 3,
      completions: ['5', '4', '4'].map((answer) => ({
        text: answer,
        answer,
        via: 'fallback' as const,
        finishReason: 'stop',
      })),
    });
    const model = buildReportModel(saved([resultRecord(), voted]), options);
    expect(model.cells[0]!.bySamples).toBeNull();
    // k = 2 is a tie, won by the answer seen first (5).
    expect(model.cells[1]!.bySamples?.map((point) => point.correct)).toEqual([0, 0, 1]);
    expect(model.cells[1]!.byAgreement?.find((level) => level.records > 0)?.label).toBe('60–79 %');
    const misjudged = buildReportModel(saved([{ ...voted, answer: 'four' }]), options);
    expect(misjudged.notes[0]).toMatch(
      /^self-consistency: --answer\/--match score 1 of 1 recorded answers differently/,
    );
  });

  it('refuses a file with summaries but no records', () => {
    expect(() => buildReportModel(saved([], [{ strategy: 'cot' }]), options)).toThrow(/no result records/);
  });
});

describe('the page', () => {
  const hostile =
    '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">" onmouseover="window.pwned = 3';
  const results = [
    resultRecord({ id: 'x', model: hostile, vars: { input: hostile }, answer: hostile, correct: false, expected: '1' }),
    resultRecord({
      id: 'x',
      model: hostile,
      strategy: '<b>sc</b>',
      vars: { input: hostile },
      votes: { [hostile]: 2 },
      agreement: 1,
      completions: [
        { text: hostile, answer: '1', via: 'phrase', finishReason: 'stop' },
        { text: `</script>${hostile}`, answer: '1', via: 'phrase', finishReason: 'stop' },
      ],
    }),
  ];
  const { html } = renderHtmlReport({ results, summaries: [], alpha: null }, options, { source: `${hostile}.json` });

  it('holds markup from data only as text: two script elements (data and page script), no img, no handler', () => {
    const { document } = parseHTML(html);
    expect(document.querySelectorAll('script')).toHaveLength(2);
    expect(document.querySelectorAll('img, b')).toHaveLength(0);
    const handlers = [...document.querySelectorAll('*')].flatMap((element) =>
      element.getAttributeNames().filter((name) => name.startsWith('on')),
    );
    expect(handlers).toEqual([]);
    expect(document.querySelector('.matrix th[scope=row]:last-of-type')).not.toBeNull();
    expect(html).toContain('&lt;b&gt;sc&lt;/b&gt;');
  });

  it('keeps the data block whole and parseable, with the values as they were', () => {
    const block = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    expect(block).not.toBeNull();
    const data = JSON.parse(block![1]!);
    expect(data.records[0].vars.input).toBe(hostile);
    expect(data.records[0].outcomes[1].completions[1].text).toBe(`</script>${hostile}`);
  });

  it("allows only the page's own script, by its hash, and no network", async () => {
    const { createHash } = await import('node:crypto');
    const script = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(html).toContain(`default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'`);
  });

  it('draws every chart as SVG with marks, self-consistency ones only when some cell voted', () => {
    const charts = renderCharts(buildReportModel({ results, summaries: [], alpha: null }, options));
    expect(charts.tradeoff).toMatch(/^<svg[\s\S]*<circle/);
    expect(charts.bySamples).toMatch(/<path/);
    expect(charts.byAgreement).toMatch(/<rect/);
    expect(charts.tradeoff).not.toContain('<img');
    const plain = renderCharts(buildReportModel({ results: [results[0]!], summaries: [], alpha: null }, options));
    expect(plain.bySamples).toBeNull();
    expect(plain.byAgreement).toBeNull();
  });
});
