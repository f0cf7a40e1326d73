import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/records.js';
import { createWarningSummary, warningKind } from '../../src/scoring/warning-summary.js';
import { resultRecord } from '../support/result-record.js';

const warned = (id: string, strategy: string, ...warnings: string[]): ResultRecord =>
  resultRecord({ id, strategy, warnings });

const summarise = (results: ResultRecord[]): string[] => {
  const summary = createWarningSummary();
  for (const result of results) summary.add(result);
  return summary.lines();
};

describe('warningKind', () => {
  it.each([
    ['tie between 42, 41: broken in favour of the earliest sampled answer (42)', 'tie'],
    ['tie between yes, no: broken in favour of the earliest sampled answer (yes)', 'tie'],
    ['3 of 10 completion(s) hit the token limit', '# of # completion(s) hit the token limit'],
    ['all 5 samples are byte-identical at temperature 0.7', 'all # samples are byte-identical at temperature #'],
  ])('%s → %s', (message, kind) => expect(warningKind(message)).toBe(kind));
});

describe('createWarningSummary', () => {
  it('says a lone warning as the record said it', () => {
    expect(summarise([warned('7', 'cot', 'the reply had no text'), warned('8', 'cot')])).toEqual([
      '7 (cot): the reply had no text',
    ]);
  });

  it('counts one kind once, naming the first three ids, the message when all are alike', () => {
    const results = ['1', '2', '3', '4', '5'].map((id) =>
      warned(id, 'cot', '1 of 1 completion(s) hit the token limit'),
    );
    expect(summarise(results)).toEqual([
      'cot: 5 records (1, 2, 3 and 2 more): 1 of 1 completion(s) hit the token limit',
    ]);
  });

  it('gives the first as an example when the messages differ, and keeps strategies apart', () => {
    expect(
      summarise([
        warned('a', 'self-consistency', 'tie between 4, 5: broken in favour of the earliest sampled answer (4)'),
        warned('b', 'self-consistency', 'tie between 7, 6: broken in favour of the earliest sampled answer (7)'),
        warned('a', 'cot', 'the reply had no text'),
        warned('c', 'cot', 'the reply had no text'),
      ]),
    ).toEqual([
      'self-consistency: 2 records (a, b), e.g. a: tie between 4, 5: broken in favour of the earliest sampled answer (4)',
      'cot: 2 records (a, c): the reply had no text',
    ]);
  });

  it('keeps the cells of a matrix apart under the names the run gives them', () => {
    const tie = 'tie between 4, 5: broken in favour of the earliest sampled answer (4)';
    const results = ['small', 'large'].flatMap((model) =>
      ['q1', 'q2'].map((id) => resultRecord({ id, model, strategy: 'self-consistency', warnings: [tie] })),
    );
    const summary = createWarningSummary((result) => `${result.model}/${result.strategy}`);
    for (const result of results) summary.add(result);
    expect(summary.lines()).toEqual([
      `small/self-consistency: 2 records (q1, q2): ${tie}`,
      `large/self-consistency: 2 records (q1, q2): ${tie}`,
    ]);
  });
});
