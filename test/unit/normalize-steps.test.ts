import { describe, expect, it } from 'vitest';
import {
  applyNormalizeSteps,
  type NormalizeStep,
  normalizeStepNames,
  parseNormalizeSteps,
} from '../../src/core/normalize-steps.js';
import { UsageError } from '../../src/errors.js';

describe('each normalisation step', () => {
  it.each<[NormalizeStep, string, string]>([
    ['lowercase', 'New York', 'new york'],
    ['lowercase', 'ÉTÉ', 'été'],
    ['strip-quotes', `'onea'`, 'onea'],
    ['strip-quotes', `"onea"`, 'onea'],
    ['strip-quotes', '`onea`', 'onea'],
    ['strip-quotes', '“onea”', 'onea'],
    ['strip-quotes', '‘onea’', 'onea'],
    ['strip-quotes', '«onea»', 'onea'],
    ['strip-quotes', `yih'a`, 'yiha'],
    ['strip-quotes', `'a' and 'b'`, 'a and b'],
    ['remove-whitespace', 'aao y', 'aaoy'],
    ['remove-whitespace', ' a\tb\nc ', 'abc'],
    ['remove-whitespace', 'a\u200bb', 'ab'],
    ['remove-whitespace', 'a\u00a0b', 'ab'],
    ['remove-punctuation', `yih'a.`, 'yiha'],
    ['remove-punctuation', 'a-b-c-d', 'abcd'],
    ['remove-punctuation', 'Hello, world!', 'Hello world'],
    ['remove-punctuation', '$5 + 3%', '5 3'],
    ['remove-punctuation', '“quoted” (aside)', 'quoted aside'],
    ['remove-punctuation', 'café', 'café'],
    ['remove-articles', 'the Eiffel Tower', 'Eiffel Tower'],
    ['remove-articles', 'The cat and a dog ate an apple', 'cat and dog ate apple'],
    ['remove-articles', 'theatre another anA', 'theatre another anA'],
    ['remove-articles', 'a', ''],
  ])('%s: %j → %j', (step, value, expected) => expect(applyNormalizeSteps(value, [step])).toBe(expected));
});

describe('applyNormalizeSteps', () => {
  it.each<[NormalizeStep[], string, string]>([
    [[], '  kept  as is ', '  kept  as is '],
    [['remove-whitespace', 'remove-punctuation'], `'aao y'.`, 'aaoy'],
    [['remove-punctuation', 'remove-whitespace'], `'aao y'.`, 'aaoy'],
    [['lowercase', 'remove-articles'], 'The  Answer', 'answer'],
    // Order matters: articles are words only until the whitespace between them is gone.
    [['remove-articles', 'remove-whitespace'], 'the big cat', 'bigcat'],
    [['remove-whitespace', 'remove-articles'], 'the big cat', 'thebigcat'],
  ])('%j on %j → %j', (steps, value, expected) => expect(applyNormalizeSteps(value, steps)).toBe(expected));

  it('is idempotent for every single step', () => {
    for (const step of normalizeStepNames) {
      const once = applyNormalizeSteps(` The “a  b” ,  'c'. `, [step]);
      expect(applyNormalizeSteps(once, [step])).toBe(once);
    }
  });
});

describe('parseNormalizeSteps', () => {
  it.each<[string | string[], NormalizeStep[]]>([
    ['remove-whitespace,remove-punctuation', ['remove-whitespace', 'remove-punctuation']],
    [' Lowercase , strip-quotes ', ['lowercase', 'strip-quotes']],
    ['remove-articles,', ['remove-articles']],
    ['lowercase,,strip-quotes', ['lowercase', 'strip-quotes']],
    [
      ['remove-articles', 'lowercase'],
      ['remove-articles', 'lowercase'],
    ],
    ['lowercase,lowercase', ['lowercase', 'lowercase']],
  ])('%j → %j', (value, expected) => expect(parseNormalizeSteps(value, '--normalize')).toEqual(expected));

  it.each([
    ['remove-spaces', '--normalize: unknown normalisation step "remove-spaces" (known: lowercase, strip-quotes,'],
    ['', '--normalize: unknown normalisation step ""'],
    [',', '--normalize: unknown normalisation step ""'],
  ])('rejects %j naming the source and the known steps', (value, message) => {
    expect(() => parseNormalizeSteps(value, '--normalize')).toThrow(UsageError);
    expect(() => parseNormalizeSteps(value, '--normalize')).toThrow(message);
  });

  it('names a template source in its error', () =>
    expect(() => parseNormalizeSteps(['trim'], 'prompts/qa.prompt:4: promptlab.normalize')).toThrow(
      'prompts/qa.prompt:4: promptlab.normalize: unknown normalisation step "trim"',
    ));
});
