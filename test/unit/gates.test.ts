import { describe, expect, it } from 'vitest';
import { cellId } from '../../src/core/cells.js';
import { InputError, UsageError } from '../../src/errors.js';
import { parseBaselineReport, type BaselineReport } from '../../src/scoring/baseline-report.js';
import { baselineNotes, checkAgainstBaseline, checkFailUnder } from '../../src/scoring/gates.js';
import { checkMaxErrors, parseMaxErrors } from '../../src/scoring/max-errors.js';
import type { CellSummary } from '../../src/scoring/summary.js';

function summary(
  strategy: string,
  counts: { n: number; scored?: number; correct: number; errors?: number },
  cell: { model?: string; variant?: string | null } = {},
): CellSummary {
  const scored = counts.scored ?? counts.n;
  return {
    strategy,
    model: cell.model ?? 'test-model',
    variant: cell.variant ?? null,
    n: counts.n,
    correct: counts.correct,
    accuracy: scored > 0 ? counts.correct / scored : null,
    ci95: null,
    scored,
    errors: counts.errors ?? 0,
    extractionFailures: 0,
    truncated: 0,
    requests: counts.n,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    latencyMs: { p50: 0, p95: 0 },
    samplesUsed: 1,
  };
}

describe('checkFailUnder', () => {
  const summaries = [
    summary('zero-shot', { n: 30, correct: 18 }), // 0.600
    summary('cot', { n: 30, correct: 22 }), // 0.733
    summary('few-shot', { n: 10, correct: 8 }), // 0.800 exactly
  ];

  it('fails each strategy below the threshold, saying by how much', () => {
    expect(checkFailUnder(summaries, 0.8)).toEqual([
      {
        gate: 'fail-under',
        cell: 'zero-shot',
        message: '--fail-under 0.80: zero-shot accuracy 0.600 is 0.200 below',
      },
      { gate: 'fail-under', cell: 'cot', message: '--fail-under 0.80: cot accuracy 0.733 is 0.067 below' },
    ]);
  });

  it.each([
    [0.6, []],
    [0.7, ['zero-shot']],
    [0.825, ['zero-shot', 'cot', 'few-shot']],
  ])('threshold %f fails %j (equal passes)', (threshold, failing) => {
    expect(checkFailUnder(summaries, threshold).map((outcome) => outcome.cell)).toEqual(failing);
  });

  it("echoes the threshold's own precision", () => {
    expect(checkFailUnder(summaries, 0.825)[2]?.message).toBe(
      '--fail-under 0.825: few-shot accuracy 0.800 is 0.025 below',
    );
  });

  it('checks only the strategies named', () => {
    expect(checkFailUnder(summaries, 0.8, { model: null, name: 'cot' }).map((outcome) => outcome.cell)).toEqual([
      'cot',
    ]);
    expect(() => checkFailUnder(summaries, 0.8, { model: null, name: 'tot' })).toThrow(
      new UsageError('--fail-under: no cell named tot in this run'),
    );
  });

  it('names cells by model and variant when a run has several models, and selects by either', () => {
    const matrix = [
      summary('cot', { n: 10, correct: 5 }, { model: 'a' }),
      summary('cot', { n: 10, correct: 9 }, { model: 'a', variant: 'cot-plan' }),
      summary('cot', { n: 10, correct: 6 }, { model: 'b' }),
      summary('cot', { n: 10, correct: 7 }, { model: 'b', variant: 'cot-plan' }),
    ];
    const failing = (selector: { model: string | null; name: string } | null) =>
      checkFailUnder(matrix, 0.8, selector).map((outcome) => outcome.message);
    expect(failing(null)).toEqual([
      '--fail-under 0.80: a/cot accuracy 0.500 is 0.300 below',
      '--fail-under 0.80: b/cot accuracy 0.600 is 0.200 below',
      '--fail-under 0.80: b/cot-plan accuracy 0.700 is 0.100 below',
    ]);
    expect(failing({ model: null, name: 'cot-plan' })).toEqual([
      '--fail-under 0.80: b/cot-plan accuracy 0.700 is 0.100 below',
    ]);
    expect(failing({ model: 'a', name: 'cot' })).toEqual(['--fail-under 0.80: a/cot accuracy 0.500 is 0.300 below']);
    expect(() => failing({ model: 'c', name: 'cot' })).toThrow('no cell named c/cot');
  });

  it('fails a strategy with nothing to score rather than passing it silently', () => {
    expect(checkFailUnder([summary('cot', { n: 4, scored: 0, correct: 0 })], 0.5)).toEqual([
      {
        gate: 'fail-under',
        cell: 'cot',
        message: '--fail-under 0.50: cot has no records with an expected answer to score',
      },
    ]);
  });
});

describe('parseMaxErrors', () => {
  it.each([
    ['0', { count: 0 }],
    ['5', { count: 5 }],
    [' 12 ', { count: 12 }],
    ['10%', { fraction: 0.1 }],
    ['2.5%', { fraction: 0.025 }],
    ['0%', { fraction: 0 }],
    ['100%', { fraction: 1 }],
  ])('%j → %j', (text, expected) => {
    expect(parseMaxErrors(text)).toEqual(expected);
  });

  it.each(['', 'five', '-1', '1.5', '101%', '%', '10 %', '0x10'])('rejects %j naming --max-errors', (text) => {
    expect(() => parseMaxErrors(text)).toThrow(UsageError);
    expect(() => parseMaxErrors(text)).toThrow(/^--max-errors: .*got "/);
  });
});

describe('checkMaxErrors', () => {
  const summaries = [
    summary('zero-shot', { n: 40, correct: 20, errors: 5 }),
    summary('cot', { n: 40, correct: 20, errors: 2 }),
  ];

  it.each([
    [{ count: 5 }, []],
    [{ count: 4 }, ['--max-errors 4: zero-shot had 5 errored records, 1 over']],
    [
      { count: 1 },
      ['--max-errors 1: zero-shot had 5 errored records, 4 over', '--max-errors 1: cot had 2 errored records, 1 over'],
    ],
    [{ fraction: 0.125 }, []],
    [{ fraction: 0.1 }, ['--max-errors 10%: zero-shot had 12.5% errored records (5 of 40), 2.5 points over']],
  ])('%j → %j', (limit, messages) => {
    expect(checkMaxErrors(summaries, limit).map((outcome) => outcome.message)).toEqual(messages);
  });

  it('never fails a strategy with no records on a percentage', () => {
    expect(checkMaxErrors([summary('cot', { n: 0, correct: 0 })], { fraction: 0 })).toEqual([]);
  });
});

describe('parseBaselineReport', () => {
  const report = {
    schema: 'promptlab.compare/v1',
    baselineStrategy: 'zero-shot',
    strategies: [
      { strategy: 'cot', n: 30, correct: 27, accuracy: 0.9, ci95: [0.74, 0.97], note: 'extra fields are fine' },
    ],
  };

  it('accepts a compare --json report and keeps its fields', () => {
    expect(parseBaselineReport(JSON.stringify(report), 'base.json').strategies[0]).toMatchObject({
      strategy: 'cot',
      correct: 27,
    });
  });

  it.each([
    ['{not json', /^--baseline base\.json: not valid JSON/],
    [
      JSON.stringify({ ...report, schema: 'promptlab.result/v1' }),
      /^--baseline base\.json: not a promptlab\.compare\/v1 report at schema:/,
    ],
    [
      JSON.stringify({ ...report, strategies: [{ strategy: 'cot', n: 30 }] }),
      /^--baseline base\.json: not a promptlab\.compare\/v1 report at strategies\.0\.correct:/,
    ],
    [
      JSON.stringify({ ...report, strategies: [{ strategy: 'cot', n: 30, correct: 27, accuracy: 90 }] }),
      /at strategies\.0\.accuracy:/,
    ],
  ])('names the file when %s is wrong', (text, pattern) => {
    expect(() => parseBaselineReport(text, 'base.json')).toThrow(InputError);
    expect(() => parseBaselineReport(text, 'base.json')).toThrow(pattern);
  });
});

describe('checkAgainstBaseline (unpaired: the baseline report holds counts only)', () => {
  const baseline: BaselineReport = {
    schema: 'promptlab.compare/v1',
    strategies: [
      { strategy: 'cot', n: 40, correct: 25, accuracy: 25 / 40, scored: 40 },
      { strategy: 'few-shot', n: 30, correct: 27, accuracy: 0.9 }, // no `scored`: recovered as 27 / 0.9 = 30
      { strategy: 'in-context', n: 10, correct: 0, accuracy: null },
    ],
  };

  it('fails a significant drop, with Fisher exact p-values (scipy: 12/40 vs 25/40 → 0.006746)', () => {
    const current = [summary('cot', { n: 40, correct: 12 })];
    expect(checkAgainstBaseline(current, baseline, 0.05)).toEqual([
      {
        gate: 'baseline',
        cell: 'cot',
        message:
          "--baseline: cot accuracy 0.300 is 0.325 below the baseline report's 0.625 (p = 0.0067, Fisher's exact test)",
      },
    ]);
    expect(checkAgainstBaseline(current, baseline, 0.005)).toEqual([]);
  });

  it.each([
    ['a drop that is not significant (22/30 vs 27/30, p = 0.18)', summary('few-shot', { n: 30, correct: 22 })],
    ['an improvement, however large', summary('cot', { n: 40, correct: 40 })],
    ['a strategy missing from the baseline', summary('self-consistency', { n: 40, correct: 0 })],
    ['a strategy the baseline could not score', summary('in-context', { n: 10, correct: 0 })],
    ['a strategy this run could not score', summary('cot', { n: 40, scored: 0, correct: 0 })],
  ])('passes %s', (_label, current) => {
    expect(checkAgainstBaseline([current], baseline, 0.05)).toEqual([]);
  });

  it('notes what it skipped', () => {
    const current = [
      summary('cot', { n: 40, correct: 30 }),
      summary('in-context', { n: 10, correct: 3 }),
      summary('tot', { n: 5, correct: 1 }),
    ];
    expect(baselineNotes(current, baseline)).toEqual([
      '--baseline: skipped in-context scored nothing in the baseline report',
      '--baseline: skipped tot is not in the baseline report',
    ]);
  });
});

describe('checkAgainstBaseline (paired: the baseline report has results)', () => {
  const ids = Array.from({ length: 20 }, (_, index) => `q${index}`);
  const baseline: BaselineReport = {
    schema: 'promptlab.compare/v1',
    strategies: [{ strategy: 'cot', n: 20, correct: 16, accuracy: 0.8 }],
    // q0..q15 right before, q16..q19 wrong
    results: ids.map((id, index) => ({ id, strategy: 'cot', correct: index < 16 })),
  };
  // Now q0..q7 wrong, the rest right: 8 worse, 4 better, 12 of 20 (0.6).
  const cot = cellId({ model: 'test-model', strategy: 'cot', variant: null });
  const current = new Map([[cot, new Map(ids.map((id, index) => [id, index >= 8]))]]);
  const currentSummary = summary('cot', { n: 20, correct: 12 });

  it('uses the exact McNemar test on shared records (8 worse, 4 better → p = 0.3877)', () => {
    expect(checkAgainstBaseline([currentSummary], baseline, 0.4, current)).toEqual([
      {
        gate: 'baseline',
        cell: 'cot',
        message:
          '--baseline: cot accuracy is 0.200 below the baseline report on 20 shared records (4 better, 8 worse; p = 0.39, exact McNemar test)',
      },
    ]);
    expect(checkAgainstBaseline([currentSummary], baseline, 0.05, current)).toEqual([]);
  });

  it('falls back to the unpaired test without this run’s per-record correctness', () => {
    // Fisher 12/20 vs 16/20 → p = 0.3008; fails at alpha 0.4 with the unpaired message.
    expect(checkAgainstBaseline([currentSummary], baseline, 0.4)[0]?.message).toMatch(/Fisher's exact test\)$/);
  });

  it('pairs each model with its own cell in a report that names models, and every model with an older one', () => {
    const twoModels: BaselineReport = {
      ...baseline,
      strategies: [
        { strategy: 'cot', model: 'a', variant: null, n: 20, correct: 20, accuracy: 1 },
        { strategy: 'cot', model: 'test-model', variant: null, n: 20, correct: 12, accuracy: 0.6 },
      ],
      results: undefined,
    };
    // test-model's own baseline entry is 12/20: no drop. Against an older report's 16/20 (any model) it is.
    expect(checkAgainstBaseline([currentSummary], twoModels, 0.4)).toEqual([]);
    expect(checkAgainstBaseline([currentSummary], { ...baseline, results: undefined }, 0.4)).toHaveLength(1);
    const variant = summary('cot', { n: 20, correct: 12 }, { variant: 'cot-plan' });
    expect(baselineNotes([variant], twoModels)).toEqual(['--baseline: skipped cot-plan is not in the baseline report']);
  });

  it('skips, with a note, when no records are shared', () => {
    const elsewhere = new Map([[cot, new Map([['other', false]])]]);
    expect(checkAgainstBaseline([currentSummary], baseline, 0.4, elsewhere)).toEqual([]);
    expect(baselineNotes([currentSummary], baseline, elsewhere)).toEqual([
      '--baseline: skipped cot shares no scored records with the baseline report',
    ]);
  });
});
