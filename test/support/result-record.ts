import type { ResultRecord } from '../../src/core/records.js';

/**
 * One result record as a run writes it (promptlab.result/v1): a correct single-sample answer "1".
 * Tests override the fields they look at, so a field added to the schema is added here once.
 */
export function resultRecord(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return {
    schema: 'promptlab.result/v1',
    id: '1',
    strategy: 'cot',
    model: 'test-model',
    variant: null,
    template: 'default',
    vars: {},
    answer: '1',
    expected: '1',
    correct: true,
    completions: [{ text: '1', answer: '1', via: 'fallback', finishReason: 'stop' }],
    samplesUsed: 1,
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    requests: 1,
    latencyMs: 100,
    error: null,
    warnings: [],
    ...overrides,
  };
}
