import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/records.js';
import { noColors, type Colors } from '../../src/render/colors.js';
import { formatResultRecord } from '../../src/render/result-record.js';
import { resultRecord } from '../support/result-record.js';

function result(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return resultRecord({
    id: 'q7',
    model: 'llama3.1:8b',
    template: 'math',
    vars: { input: 'What is 6 × 7?' },
    answer: '42',
    expected: '42',
    completions: [{ text: '6 × 7 = 42. The answer is 42.', answer: '42', via: 'phrase', finishReason: 'stop' }],
    usage: { promptTokens: 1200, completionTokens: 40, totalTokens: 1240 },
    latencyMs: 812.4,
    ...overrides,
  });
}

/** Marks each colour so the tests can see which text got which style. */
const markColors: Colors = {
  bold: (text) => `<b>${text}</b>`,
  dim: (text) => `<dim>${text}</dim>`,
  green: (text) => `<green>${text}</green>`,
  red: (text) => `<red>${text}</red>`,
  yellow: (text) => `<yellow>${text}</yellow>`,
  cyan: (text) => `<cyan>${text}</cyan>`,
};

describe('formatResultRecord', () => {
  it.each([
    [result(), '<b>42</b>\n<green>✓ correct (expected 42)</green>'],
    [
      result({ answer: '41', correct: false, expected: ['42', 'forty-two'] }),
      '<b>41</b>\n<red>✗ wrong: expected 42 or forty-two</red>',
    ],
    [result({ expected: null, correct: null }), '<b>42</b>'],
    [
      result({ answer: null, correct: false, error: 'HTTP 429: rate limited after 2 retries' }),
      '<dim>(no answer)</dim>\n<red>✗ wrong: expected 42</red>\n<red>error: HTTP 429: rate limited after 2 retries</red>',
    ],
    [
      result({ warnings: ['completion hit max tokens'] }),
      '<b>42</b>\n<green>✓ correct (expected 42)</green>\n<yellow>warning: completion hit max tokens</yellow>',
    ],
  ])('%# in short form', (record, expected) => {
    expect(formatResultRecord(record, markColors, false)).toBe(expected);
  });

  it('shows reasoning, cost and identity when verbose', () => {
    expect(formatResultRecord(result(), noColors, true)).toMatchInlineSnapshot(`
      "42
      ✓ correct (expected 42)
      q7 · cot · llama3.1:8b · template math
      ── completion 1/1 (finish: stop) → 42 · via phrase
      6 × 7 = 42. The answer is 42.
      1,240 tokens (1,200 prompt + 40 completion) · 1 request · 1 sample · 812 ms"
    `);
  });

  it('shows each sample, the vote table and agreement for self-consistency', () => {
    const record = result({
      strategy: 'self-consistency',
      answer: '42',
      completions: [
        { text: 'Six sevens are 42.', answer: '42', via: 'fallback', finishReason: 'stop' },
        { text: '6 × 7 = 41?', answer: '41', via: 'fallback', finishReason: 'stop' },
        { text: 'So it is 42.', answer: '42', via: 'fallback', finishReason: 'stop' },
        { text: 'Let me think step by', answer: null, via: null, finishReason: 'length' },
      ],
      votes: { '41': 1, '42': 2 },
      agreement: 2 / 3,
      samplesUsed: 4,
      requests: 1,
      usage: { promptTokens: 300, completionTokens: 160, totalTokens: 460 },
    });
    expect(formatResultRecord(record, noColors, true)).toMatchInlineSnapshot(`
      "42
      ✓ correct (expected 42)
      q7 · self-consistency · llama3.1:8b · template math
      ── completion 1/4 (finish: stop) → 42 · via fallback
      Six sevens are 42.
      ── completion 2/4 (finish: stop) → 41 · via fallback
      6 × 7 = 41?
      ── completion 3/4 (finish: stop) → 42 · via fallback
      So it is 42.
      ── completion 4/4 (finish: length) → no answer
      Let me think step by
      votes: 42 ×2, 41 ×1 · agreement 67%
      460 tokens (300 prompt + 160 completion) · 1 request · 4 samples · 812 ms"
    `);
  });

  it('marks usage that was estimated (the endpoint counted one choice of several)', () => {
    const record = result({
      usageEstimated: true,
      usage: { promptTokens: 300, completionTokens: 160, totalTokens: 460 },
    });
    expect(formatResultRecord(record, noColors, true).split('\n').at(-1)).toBe(
      '≈460 tokens (300 prompt + 160 completion, estimated) · 1 request · 1 sample · 812 ms',
    );
  });

  it('shows the extraction call of a two-stage chain of thought', () => {
    const record = result({
      completions: [
        {
          text: 'Six sevens…',
          answer: '42',
          via: 'phrase',
          finishReason: 'stop',
          answerStep: 'Therefore, the answer is 42',
        },
      ],
    });
    expect(formatResultRecord(record, noColors, true).split('\n')).toContain('extraction: Therefore, the answer is 42');
  });

  it.each([
    [{}, 'votes: none valid'],
    [{ '42': 1, '7': 1, '41': 1 }, 'votes: 41 ×1, 42 ×1, 7 ×1'],
  ])('lists votes %j in a stable order without agreement when there is none', (votes, line) => {
    const record = result({ votes, agreement: null });
    expect(formatResultRecord(record, noColors, true).split('\n')).toContain(line);
  });
});
