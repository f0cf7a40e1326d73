import { describe, expect, it } from 'vitest';
import type { AnswerSpec, AnswerVia } from '../../src/core/answer-spec.js';
import { createExtractionTally } from '../../src/scoring/extraction-note.js';
import { resultRecord } from '../support/result-record.js';

const number: AnswerSpec = { type: 'number' };

function tallied(spec: AnswerSpec, completions: Array<[string, AnswerVia | null]>) {
  const tally = createExtractionTally(spec);
  for (const [text, via] of completions) {
    tally.add(resultRecord({ completions: [{ text, answer: via === null ? null : 'x', via, finishReason: 'stop' }] }));
  }
  return tally.note();
}

describe('the fallback note', () => {
  it('speaks when most answers were guessed out of prose, naming the rule and the way out', () =>
    expect(
      tallied(number, [
        ['Your message had 4 words', 'fallback'],
        ['I counted 3 of them', 'fallback'],
        ['The answer is 5.', 'phrase'],
      ]),
    ).toBe(
      '2 of 3 answers were guessed: a number taken from a reply that states no answer; ask for the answer in the prompt, or pass --extract-mode strict to count only stated answers',
    ));

  it.each<[string, AnswerSpec, Array<[string, AnswerVia | null]>]>([
    [
      'half is not most',
      number,
      [
        ['had 4 words', 'fallback'],
        ['{"answer": 4}', 'json'],
      ],
    ],
    [
      'bare replies are not guesses',
      number,
      [
        ['42', 'fallback'],
        [' 7.', 'fallback'],
        ['**3**', 'fallback'],
      ],
    ],
    [
      'stated answers',
      number,
      [
        ['\\boxed{2}', 'boxed'],
        ['#### 3', 'phrase'],
        ['{"answer": 1}', 'json'],
      ],
    ],
    [
      'no answers at all',
      number,
      [
        ['no idea', null],
        ['', null],
      ],
    ],
    ['a one-line text reply is its answer', { type: 'text' }, [['Paris.', 'fallback']]],
    [
      'no answer type was given: the reply is the answer',
      { type: 'text', defaulted: true },
      [['Sure!\nHere is a joke.', 'fallback']],
    ],
  ])('stays quiet: %s', (_name, spec, completions) => expect(tallied(spec, completions)).toBeNull());

  it('counts every sample of a self-consistency record', () => {
    const tally = createExtractionTally(number);
    tally.add(
      resultRecord({
        completions: [
          { text: 'so 3 then 4', answer: '4', via: 'fallback', finishReason: 'stop' },
          { text: 'so 3 then 4', answer: '4', via: 'fallback', finishReason: 'stop' },
          { text: 'The answer is 4', answer: '4', via: 'phrase', finishReason: 'stop' },
        ],
      }),
    );
    expect(tally.note()).toMatch(/^2 of 3 answers/);
  });

  it.each<[AnswerSpec, string]>([
    [{ type: 'choice' }, 'a choice letter'],
    [{ type: 'yesno' }, 'a yes/no word'],
    [{ type: 'text' }, 'a line'],
  ])('names the %j rule', (spec, rule) =>
    expect(tallied(spec, [['Hmm.\nC or maybe yes', 'fallback']])).toBe(
      `1 of 1 answer was guessed: ${rule} taken from a reply that states no answer; ask for the answer in the prompt, or pass --extract-mode strict to count only stated answers`,
    ),
  );
});
