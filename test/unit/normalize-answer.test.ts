import { describe, expect, it } from 'vitest';
import type { AnswerSpec } from '../../src/core/answer-spec.js';
import { normalizeAnswer, numericValue, parseAnswerSpec } from '../../src/core/normalize-answer.js';
import type { NormalizeStep } from '../../src/core/normalize-steps.js';
import { UsageError } from '../../src/errors.js';

const number: AnswerSpec = { type: 'number' };
const choice: AnswerSpec = { type: 'choice' };
const yesno: AnswerSpec = { type: 'yesno' };
const text: AnswerSpec = { type: 'text' };

describe('parseAnswerSpec', () => {
  it.each([
    ['number', { type: 'number' }],
    ['choice', { type: 'choice' }],
    ['yesno', { type: 'yesno' }],
    ['text', { type: 'text' }],
    [' Number ', { type: 'number' }],
    ['regex:Answer: (\\d+)', { type: 'regex', pattern: 'Answer: (\\d+)' }],
    ['regex:a:b', { type: 'regex', pattern: 'a:b' }],
    ['regex:answer ', { type: 'regex', pattern: 'answer ' }],
    [' REGEX:x', { type: 'regex', pattern: 'x' }],
  ])('%j → %j', (flag, spec) => expect(parseAnswerSpec(flag)).toEqual(spec));

  it.each([
    ['numbers', '--answer: expected number|choice|yesno|text|regex:PATTERN, got "numbers"'],
    ['', '--answer: expected number|choice|yesno|text|regex:PATTERN, got ""'],
    ['regex:', '--answer: regex:PATTERN needs a pattern, got "regex:"'],
  ])('rejects %j', (flag, message) => {
    expect(() => parseAnswerSpec(flag)).toThrow(UsageError);
    expect(() => parseAnswerSpec(flag)).toThrow(message);
  });

  it('names the source of a bad spec', () =>
    expect(() => parseAnswerSpec('bool', 'prompts/qa.prompt: promptlab.answer')).toThrow(
      'prompts/qa.prompt: promptlab.answer: expected number|choice|yesno|text|regex:PATTERN, got "bool"',
    ));

  it('names an invalid regular expression', () =>
    expect(() => parseAnswerSpec('regex:(\\d+')).toThrow(/--answer: invalid regular expression "\(\\d\+"/));
});

describe('normalizeAnswer number', () => {
  it.each([
    ['1,000', '1000'],
    ['$5.00', '5'],
    ['5.0', '5'],
    ['-3', '-3'],
    ['−3', '-3'],
    ['1/2', '0.5'],
    ['1/3', '0.333333333333'],
    ['2/3', '0.666666666667'],
    ['-1/4', '-0.25'],
    ['50%', '50'],
    ['+7', '7'],
    ['.5', '0.5'],
    ['007', '7'],
    ['-0', '0'],
    ['0.000', '0'],
    ['1e3', '1000'],
    ['2.5E-3', '0.0025'],
    ['1,234,567.890', '1234567.89'],
    ['$1,234', '1234'],
    ['-$20', '-20'],
    ['18 apples', '18'],
    ['The answer is 14.', '14'],
    ['\\frac{1}{2}', '0.5'],
    ['\\dfrac{3}{4}', '0.75'],
    ['1{,}000', '1000'],
    ['\\$5', '5'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['0.1000000000000000000001', '0.1000000000000000000001'],
    ['5/0', '5'],
    ['COVID-19', '19'],
    ['3.2.1', '3.2'],
    ['x', null],
    ['', null],
    ['-', null],
  ])('%j → %j', (value, expected) => expect(normalizeAnswer(value, number)).toBe(expected));
});

describe('normalizeAnswer choice', () => {
  it.each([
    ['(B)', 'B'],
    ['B)', 'B'],
    ['b', 'B'],
    ['answer is b', 'B'],
    ['B.', 'B'],
    [' (e) none of these', 'E'],
    ['[C]', 'C'],
    ['F', null],
    ['Because', null],
    ['', null],
  ])('%j → %j', (value, expected) => expect(normalizeAnswer(value, choice)).toBe(expected));

  it.each([
    ['(f)', ['A', 'B', 'C', 'D', 'E', 'F'], 'F'],
    ['E', ['A', 'B', 'C', 'D'], null],
    ['b', ['a', 'b'], 'b'],
    ['(B)', ['a', 'b'], 'b'],
  ])('%j with choices %j → %j', (value, choices, expected) =>
    expect(normalizeAnswer(value, { type: 'choice', choices })).toBe(expected),
  );
});

describe('normalizeAnswer yesno', () => {
  it.each([
    ['Yes', 'yes'],
    ['NO.', 'no'],
    ['true', 'yes'],
    ['False', 'no'],
    ['So the answer is yes, because no one...', 'yes'],
    ['Yesterday', null],
    ['nope', null],
    ['', null],
  ])('%j → %j', (value, expected) => expect(normalizeAnswer(value, yesno)).toBe(expected));
});

describe('normalizeAnswer text', () => {
  it.each([
    ['  Paris. ', 'paris'],
    ['New   York\nCity!', 'new york city'],
    ['Hello, world?!', 'hello, world'],
    ['e.g. this...', 'e.g. this'],
    ['...', null],
    ['   ', null],
    // Enclosing quotes and backticks, straight or typographic.
    [`'onea'`, 'onea'],
    [`"onea"`, 'onea'],
    ['`onea`', 'onea'],
    ['“onea”', 'onea'],
    ['‘onea’', 'onea'],
    ['«onea»', 'onea'],
    ['```onea```', 'onea'],
    [`'onea'.`, 'onea'],
    [`"onea".`, 'onea'],
    [`'onea.'`, 'onea'],
    // Markdown emphasis, and emphasis around quotes.
    ['**onea**', 'onea'],
    ['*onea*', 'onea'],
    ['__onea__', 'onea'],
    ['_onea_', 'onea'],
    [`**'onea'**.`, 'onea'],
    ['$x$', 'x'],
    // Inside stays: an apostrophe in a word, two quoted answers, a quote at one end only.
    [`yih'a`, `yih'a`],
    [`'yih'a'`, `yih'a`],
    [`'a' and 'b'`, `'a' and 'b'`],
    ['"a" or "b"', '"a" or "b"'],
    ['**a** and **b**', '**a** and **b**'],
    [`'onea`, `'onea`],
    ['snake_case', 'snake_case'],
    // Trailing sentence punctuation, inner whitespace runs.
    ['Paris!', 'paris'],
    ['Paris?!', 'paris'],
    ['Paris…', 'paris'],
    ['巴黎。', '巴黎'],
    ['aao  y', 'aao y'],
    ['aao\ty', 'aao y'],
    ['new\n\nyork', 'new york'],
    ['3.14', '3.14'],
  ])('%j → %j', (value, expected) => expect(normalizeAnswer(value, text)).toBe(expected));

  it.each<[NormalizeStep[], string, string | null]>([
    [['remove-whitespace', 'remove-punctuation'], `'aao y'.`, 'aaoy'],
    [['remove-whitespace', 'remove-punctuation'], `yih'a`, 'yiha'],
    [['remove-whitespace', 'remove-punctuation'], '"a-b c"', 'abc'],
    [['strip-quotes'], `'a' and 'b'`, 'a and b'],
    [['remove-articles'], 'The Eiffel Tower.', 'eiffel tower'],
    [['remove-articles'], 'the', null],
    // A step that uncovers punctuation or quotes: the default runs again, so normalizing twice is normalizing once.
    [['remove-articles'], 'x. the', 'x'],
  ])('with --normalize %j: %j → %j', (steps, value, expected) => {
    const spec: AnswerSpec = { type: 'text', normalize: steps };
    const once = normalizeAnswer(value, spec);
    expect(once).toBe(expected);
    if (once !== null) expect(normalizeAnswer(once, spec)).toBe(once);
  });
});

describe('normalizeAnswer regex', () => {
  const spec: AnswerSpec = { type: 'regex', pattern: 'Final: (\\w+)' };
  it.each([
    ['Final: Paris', 'Paris'],
    ['  Paris  ', 'Paris'],
    ['Final:  ', 'Final:'],
    ['', null],
  ])('%j → %j', (value, expected) => expect(normalizeAnswer(value, spec)).toBe(expected));

  it('reaches a fixed point when the capture matches again', () =>
    expect(normalizeAnswer('aaab', { type: 'regex', pattern: 'a(.*)' })).toBe('b'));

  it('keeps the value when the pattern is invalid instead of throwing', () =>
    expect(normalizeAnswer(' x ', { type: 'regex', pattern: '(' })).toBe('x'));

  it('applies --normalize steps to the captured answer', () =>
    expect(
      normalizeAnswer('Final: New-York', {
        type: 'regex',
        pattern: 'Final: (.+)',
        normalize: ['lowercase', 'remove-punctuation'],
      }),
    ).toBe('newyork'));
});

describe('numericValue', () => {
  it.each([
    ['1,000', 1000],
    [' $5.00 ', 5],
    ['50%', 50],
    ['1/2', 0.5],
    ['\\frac{1}{4}', 0.25],
    ['-3', -3],
    ['5 apples', null],
    ['yes', null],
    ['', null],
  ])('%j → %j', (value, expected) => expect(numericValue(value)).toBe(expected));
});
