import { describe, expect, it } from 'vitest';
import type { AnswerSpec, Pick } from '../../src/core/answer-spec.js';
import { majorityVote } from '../../src/core/majority-vote.js';
import {
  answerKey,
  firstSpelling,
  isBareAnswer,
  type ReadAnswer,
  readAnswer,
  readAnswerStep,
} from '../../src/core/read-answer.js';

const number: AnswerSpec = { type: 'number' };
const text: AnswerSpec = { type: 'text' };
const lettersOnly: AnswerSpec = { type: 'text', normalize: ['remove-whitespace', 'remove-punctuation'] };

describe('readAnswer', () => {
  it.each<[string, AnswerSpec, Pick, string, ReadAnswer]>([
    ['a number in canonical form', number, 'last', 'The answer is $1,000.', { answer: '1000', via: 'phrase' }],
    [
      'as extracted with --match exact',
      { ...number, asExtracted: true },
      'last',
      'The answer is 5.00',
      { answer: '5.00', via: 'phrase' },
    ],
    ['a text answer as written', text, 'last', "The answer is 'onea'.", { answer: "'onea'.", via: 'phrase' }],
    [
      'steps do not change what was extracted',
      lettersOnly,
      'last',
      'The answer is aao y.',
      { answer: 'aao y.', via: 'phrase' },
    ],
    [
      'a regex answer as captured',
      { type: 'regex', pattern: 'FINAL=(\\S+)', normalize: ['lowercase'] },
      'last',
      'FINAL=Cat',
      { answer: 'Cat', via: 'phrase' },
    ],
    ['a JSON answer', number, 'last', '{"answer": "70000"}\n1. two 2. three', { answer: '70000', via: 'json' }],
    ['the fallback', number, 'first', 'Your message had 4 words and 2 commas', { answer: '4', via: 'fallback' }],
    ['a text reply is its own answer', text, 'last', 'Paris', { answer: 'Paris', via: 'fallback' }],
    [
      'strict: no stated answer',
      { ...number, extractMode: 'strict' },
      'last',
      'Your message had 4 words',
      { answer: null, via: null },
    ],
    [
      'strict: a text reply states nothing',
      { ...text, extractMode: 'strict' },
      'last',
      'Paris',
      { answer: null, via: null },
    ],
    ['nothing', number, 'last', 'no idea', { answer: null, via: null }],
    ['an empty reply', text, 'last', '  \n', { answer: null, via: null }],
    [
      'a text reply after thinking',
      text,
      'last',
      '<think>Paris or Lyon?</think>\nParis',
      { answer: 'Paris', via: 'fallback' },
    ],
  ])('%s', (_name, spec, pick, completion, expected) => expect(readAnswer(completion, spec, pick)).toEqual(expected));

  it('reads a two-stage answer step by its first candidate', () =>
    expect(readAnswerStep(' 25%. The answer (as a fraction) is 1/4.', number)).toEqual({
      answer: '25',
      via: 'phrase',
    }));
});

describe('answerKey', () => {
  it.each<[string | null, AnswerSpec, string | null]>([
    ["'onea'.", text, 'onea'],
    ['"onea"', text, 'onea'],
    ['**OneA**', text, 'onea'],
    ['aao y', text, 'aao y'],
    ['aao y', lettersOnly, 'aaoy'],
    [`yih'a`, lettersOnly, 'yiha'],
    ['Paris.', { ...text, asExtracted: true }, 'Paris.'],
    ['Aao y.', { ...lettersOnly, asExtracted: true }, 'Aaoy'],
    ['1000', number, '1000'],
    [' Cat ', { type: 'regex', pattern: '(\\w+)', normalize: ['lowercase'] }, 'cat'],
    ['...', text, null],
    [null, text, null],
  ])('%j (%j) → %j', (answer, spec, key) => expect(answerKey(answer, spec)).toBe(key));

  it('votes the spellings of one answer together and reports the first spelling', () => {
    const answers = ["'onea'.", 'onea.', '"onea".', 'aao y.', 'aaoy.', 'aaoy.', '“onea”.'];
    const keys = answers.map((answer) => answerKey(answer, lettersOnly));
    const vote = majorityVote(keys);
    expect(vote.votes).toEqual({ onea: 4, aaoy: 3 });
    expect(firstSpelling(vote.answer, answers, keys)).toBe("'onea'.");
  });
});

describe('isBareAnswer', () => {
  it.each<[string, AnswerSpec, boolean]>([
    ['42', number, true],
    [' 42.\n', number, true],
    ['**$1,000**', number, true],
    ['50%', number, true],
    ['Your message had 4 words', number, false],
    ['3 + 4 = 7', number, false],
    ['B', { type: 'choice' }, true],
    ['(b).', { type: 'choice' }, true],
    ['B because', { type: 'choice' }, false],
    ['Yes.', { type: 'yesno' }, true],
    ['Yes, it can.', { type: 'yesno' }, false],
    ['Paris.', text, true],
    ['Let me think.\nParis.', text, false],
    ['<think>6 * 7 = 42</think>\n42', number, true],
    ['', number, false],
  ])('%j (%j) → %s', (reply, spec, bare) => expect(isBareAnswer(reply, spec)).toBe(bare));
});
