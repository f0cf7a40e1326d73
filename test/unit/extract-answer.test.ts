import { describe, expect, it } from 'vitest';
import type { AnswerSpec, Pick } from '../../src/core/answer-spec.js';
import { type ExtractedAnswer, extractAnswer, extractFromAnswerStep } from '../../src/core/extract-answer.js';

const number: AnswerSpec = { type: 'number' };
const choice: AnswerSpec = { type: 'choice' };
const yesno: AnswerSpec = { type: 'yesno' };
const text: AnswerSpec = { type: 'text' };

describe('extractAnswer number', () => {
  it.each<[string, Pick, string | null, string | null]>([
    ['She had 18 apples and ate 4, so she has 18 - 4 = 14 apples. The answer is 14.', 'last', '14', '14'],
    ['She had 18 apples and ate 4, so she has 18 - 4 = 14 apples. The answer is 14.', 'first', '14', '14'],
    ['Natalia sold 48/2 = 24 clips in May.\n48 + 24 = 72\n#### 72', 'last', '72', '72'],
    ['The total is 1,000 + 234 = 1,234.\n#### 1,234', 'last', '1234', '1234'],
    ['So the area is $\\boxed{\\frac{1}{2}}$.', 'last', '1/2', '0.5'],
    ['The answer is $\\boxed{1{,}024}$ ways.', 'last', '1024', '1024'],
    ['Answer: $5.00', 'last', '5.00', '5'],
    ['answer: -3 degrees', 'last', '-3', '-3'],
    ['The answer (arabic numerals) is 2.', 'first', '2', '2'],
    ['The answer is 5. Check: 2 + 3 = 5, and then the answer is 6 because 6 > 5.', 'last', '6', '6'],
    ['The answer is 8. Let me recheck: 3 + 5 = 8. Therefore, the answer is', 'last', '8', '8'],
    ['First 3 + 4 = 7, then 7 * 2 = 14.', 'last', '14', '14'],
    ['First 3 + 4 = 7, then 7 * 2 = 14.', 'first', '3', '3'],
    [' 11.', 'first', '11', '11'],
    [' 3/4.', 'first', '3/4', '0.75'],
    [' .25', 'first', '.25', '0.25'],
    [' 2,2,2.', 'first', '222', '222'],
    ['It costs -$20.', 'first', '-20', '-20'],
    ['The tax is 50%.', 'last', '50', '50'],
    ['COVID-19 closed 3 schools', 'first', '19', '19'],
    ['18-4 = 14, so 14 - -3 = 17', 'first', '18', '18'],
    ['She has 18-4', 'last', '4', '4'],
    ['答案是5', 'last', '5', '5'],
    ['x2 + 3x = 10', 'first', '2', '2'],
    ['$$\\frac{18}{266}$$', 'first', '18', '18'],
    ['The answer is unknown, but 12 is close.', 'last', '12', '12'],
    ['no numbers here', 'last', null, null],
    ['', 'first', null, null],
  ])('%j (pick %s) → raw %j, normalized %j', (completion, pick, raw, normalized) => {
    const answer = extractAnswer(completion, number, pick);
    expect(answer === null ? [null, null] : [answer.raw, answer.normalized]).toEqual([raw, normalized]);
  });

  it('picks the last candidate by default', () => expect(extractAnswer('1 then 2 then 3', number)?.raw).toBe('3'));
});

describe('extractAnswer choice', () => {
  it.each<[string, Pick, string | null]>([
    [' D. \n\nThere are at least 501 students in the school.', 'first', 'D'],
    ['Among A through E, the answer is (c) 600.', 'last', 'C'],
    ['The correct answer is b.', 'last', 'B'],
    ['So the answer is a bit unclear; I pick (E).', 'last', 'E'],
    ['Option (A) fails and (B) fails, so it must be C.', 'last', 'C'],
    ['Option (A) fails and (B) fails, so it must be C.', 'first', 'A'],
    [' E. \n\n13+13=26) to travel. \n\nTherefore, among A through E, the answer is', 'first', 'E'],
    [' 5C4*4!/(4!) = 5C4 = 10.', 'first', null],
    ['Answer: B', 'last', 'B'],
    ['The answer is C. Hence the answer (A through E) is', 'last', 'C'],
    ['答案是B', 'last', 'B'],
    ['Because Every Dog', 'last', null],
    ['(F) is not allowed', 'last', null],
  ])('%j (pick %s) → %j', (completion, pick, raw) =>
    expect(extractAnswer(completion, choice, pick)?.raw ?? null).toBe(raw),
  );

  it('honours the spec choices', () =>
    expect(
      extractAnswer('The answer is F.', { type: 'choice', choices: ['A', 'B', 'C', 'D', 'E', 'F'] })?.normalized,
    ).toBe('F'));
});

describe('extractAnswer yesno', () => {
  it.each<[string, Pick, string | null, string | null]>([
    [' \n\nYes', 'first', 'yes', 'yes'],
    [' No.', 'first', 'no', 'no'],
    ['YES!', 'first', 'yes', 'yes'],
    [' not known. \n\nThe reason why the answer is not known is because there is no information.', 'first', 'no', 'no'],
    [' currently unknown.\n\nThe answer is currently unknown.', 'first', null, null],
    ['Yes, a Muslim can eat it. However, the reason for the answer is', 'first', 'yes', 'yes'],
    ['The coin was flipped, so it is no longer heads up. So the answer is no.', 'last', 'no', 'no'],
    ['uses the values true and false', 'first', 'true', 'yes'],
    ['Yesterday nobody knew', 'last', null, null],
  ])('%j (pick %s) → raw %j, normalized %j', (completion, pick, raw, normalized) => {
    const answer = extractAnswer(completion, yesno, pick);
    expect(answer === null ? [null, null] : [answer.raw, answer.normalized]).toEqual([raw, normalized]);
  });
});

describe('extractAnswer text', () => {
  it.each<[string, Pick, string | null, string | null]>([
    ['Let us think.\nThe capital is Paris.\nThe answer is Paris.', 'last', 'Paris.', 'paris'],
    ['Answer:\n\n  New   York ', 'last', 'New   York', 'new york'],
    ['line one\n\nline two.\n', 'last', 'line two.', 'line two'],
    ['line one\n\nline two.\n', 'first', 'line one', 'line one'],
    ['  \n ... \n', 'last', null, null],
  ])('%j (pick %s) → raw %j, normalized %j', (completion, pick, raw, normalized) => {
    const answer = extractAnswer(completion, text, pick);
    expect(answer === null ? [null, null] : [answer.raw, answer.normalized]).toEqual([raw, normalized]);
  });
});

describe('extractAnswer regex', () => {
  const spec: AnswerSpec = { type: 'regex', pattern: 'FINAL=(\\w+)' };
  it.each<[string, Pick, string | null]>([
    ['FINAL=cat ... FINAL=dog', 'last', 'dog'],
    ['FINAL=cat ... FINAL=dog', 'first', 'cat'],
    ['The answer is 5 but no marker', 'last', null],
  ])('%j (pick %s) → %j', (completion, pick, raw) =>
    expect(extractAnswer(completion, spec, pick)?.raw ?? null).toBe(raw),
  );

  it('uses the whole match when the pattern has no group', () =>
    expect(extractAnswer('id 42 and 43', { type: 'regex', pattern: '\\d+' }, 'first')).toEqual({
      raw: '42',
      normalized: '42',
      via: 'phrase',
    }));

  it('ignores answer phrases: the pattern is the rule', () =>
    expect(extractAnswer('The answer is x. FINAL=y', spec)?.raw).toBe('y'));

  it('returns null for an invalid pattern instead of throwing', () =>
    expect(extractAnswer('anything', { type: 'regex', pattern: '(' })).toBeNull());
});

type Via = ExtractedAnswer['via'];
const found = (answer: ExtractedAnswer | null) => (answer === null ? null : [answer.raw, answer.via]);

describe('extractAnswer: structured answers win', () => {
  it.each<[string, AnswerSpec, string, [string, Via] | null]>([
    [
      'a fenced JSON answer, then prose with other numbers',
      number,
      '```json\n{\n  "reasoning": "Revenue 120000 minus cost 50000",\n  "answer": "70000"\n}\n```\n\nThe key steps are: 1. … 2. …',
      ['70000', 'json'],
    ],
    [
      'a bare JSON answer, then a sign-off',
      number,
      '{"reasoning": "3 + 4", "answer": 7}\nHope this helps, 2 apples!',
      ['7', 'json'],
    ],
    [
      'a later statement wins over a JSON answer',
      number,
      '{"answer": 7}\nWait, I dropped a carry. The answer is 9.',
      ['9', 'phrase'],
    ],
    [
      'a JSON answer wins over an earlier statement',
      number,
      'So the answer is 5, as JSON:\n{"reasoning": "the answer is 5? no, 6", "answer": 6}\nThe totals are 1, 2, 3.',
      ['6', 'json'],
    ],
    [
      'a JSON object without an answer is prose',
      number,
      '{"reasoning": "so the answer is 5"}\nDone in 2 steps.',
      ['5', 'phrase'],
    ],
    [
      'an answer phrase inside the reasoning string',
      number,
      '{"reasoning": "so the answer is 5", "answer": 6}',
      ['6', 'json'],
    ],
    ['the last of several objects', number, '{"answer": 3}\nWait, I made an error.\n{"answer": 4}', ['4', 'json']],
    [
      'an object whose answer is not a number is skipped',
      number,
      'Format: {"answer": "<number>"}\n{"answer": 12}',
      ['12', 'json'],
    ],
    ['currency and thousands', number, '{"answer": "$70,000"}', ['70000', 'json']],
    ['units after the number', number, '{"answer": "70000 dollars"}', ['70000', 'json']],
    ['working in the answer field', number, '{"answer": "9 eggs * $2 = $18"}', ['18', 'json']],
    ['a LaTeX fraction', number, '{"answer": "\\\\frac{1}{4}"}', ['1/4', 'json']],
    ['nested', number, '{"solution": {"steps": ["16 - 3 - 4 = 9"], "final_answer": 18}}', ['18', 'json']],
    ['invalid JSON', number, '{"reasoning": "x", "answer": 14,}\nDone.', ['14', 'json']],
    ['a null answer falls to the phrase', number, '{"answer": null}\nThe answer is 6.', ['6', 'phrase']],
    ['a choice', choice, '{"answer": "(b) 12"}', ['B', 'json']],
    ['a boolean for yes/no', yesno, '{"answer": true, "reasoning": "no doubt"}', ['true', 'json']],
    ['a text answer', text, '```json\n{"answer": "Paris"}\n```\nParis is also the largest city.', ['Paris', 'json']],
  ])('%s', (_name, spec, completion, expected) => expect(found(extractAnswer(completion, spec))).toEqual(expected));
});

describe('extractAnswer: answer statements as models write them', () => {
  it.each<[string, AnswerSpec, string, [string, Via] | null]>([
    ['bold label', number, '**Answer:** 42', ['42', 'phrase']],
    ['bold final label', number, 'Work...\n**Final Answer**: 42', ['42', 'phrase']],
    ['bold value', number, 'Answer: **42**', ['42', 'phrase']],
    ['Minerva style', number, 'Final Answer: The final answer is $42$. I hope it is correct.', ['42', 'phrase']],
    ['GSM8K ####', number, 'Natalia sold 48 + 24 = 72 clips.\n#### 72', ['72', 'phrase']],
    ['an answer tag', number, '<answer>12</answer>\nThat took 3 steps.', ['12', 'phrase']],
    ['boxed fraction', number, 'So the probability is $\\boxed{\\frac{1}{4}}$.', ['1/4', 'boxed']],
    ['boxed with units', number, '$\\boxed{70{,}000 \\text{ dollars}}$', ['70000', 'boxed']],
    ['the last statement wins', number, 'The answer is 5. Wait, 2 + 4 = 6, so the answer is 6.', ['6', 'phrase']],
    ['a phrase after a box wins', number, '\\boxed{5} ... on reflection the answer is 6', ['6', 'phrase']],
    ['a box after a phrase wins', number, 'The answer is 5, i.e. \\boxed{6}', ['6', 'boxed']],
    ['a bold choice', choice, 'The answer is **C**.', ['C', 'phrase']],
    ['a quoted text answer', text, 'The answer is "onea".', ['"onea".', 'phrase']],
    [
      'a Minerva text answer',
      text,
      'Final Answer: The final answer is Paris. I hope it is correct.',
      ['Paris', 'phrase'],
    ],
    ['a tagged text answer', text, '<answer>\nNew York\n</answer>', ['New York', 'phrase']],
    [
      'working after a phrase: the result after the last =',
      number,
      'The answer is 16 - 3 - 4 = 9 eggs * $2 = $18.',
      ['18', 'phrase'],
    ],
    ['a result stated first, checked after', number, 'The answer is 12, because 3 * 4 = 12.', ['12', 'phrase']],
    ['no result after =: the first number', number, 'The answer is 7 (x =', ['7', 'phrase']],
    [
      'LaTeX after a phrase',
      number,
      'Final Answer: The final answer is $\\frac{1}{4}$. I hope it is correct.',
      ['1/4', 'phrase'],
    ],
    ['LaTeX thousands after a phrase', number, 'The answer is $1{,}024$.', ['1024', 'phrase']],
    [
      'a reasoning model: its thinking does not outvote its reply',
      number,
      '<think>so the answer is 41? no: 6 * 7</think>\n\n**42**',
      ['42', 'fallback'],
    ],
    [
      'a reasoning model: the reply after thinking',
      number,
      '<think>The answer is 41.</think>The answer is 42.',
      ['42', 'phrase'],
    ],
    [
      'a reply that is all thinking is read whole',
      number,
      '<think>Let me see, the answer is 41</think>  ',
      ['41', 'phrase'],
    ],
  ])('%s', (_name, spec, completion, expected) => expect(found(extractAnswer(completion, spec))).toEqual(expected));
});

describe('extractAnswer: strict and flexible', () => {
  const strictly = (spec: AnswerSpec): AnswerSpec => ({ ...spec, extractMode: 'strict' });
  it.each<[string, AnswerSpec, string, [string, Via] | null, [string, Via] | null]>([
    ['no statement: a count in prose', number, 'Your message had 4 words.', ['4', 'fallback'], null],
    ['no statement: working only', number, '3 + 4 = 7, then 7 * 2 = 14', ['14', 'fallback'], null],
    ['a bare reply', number, '42', ['42', 'fallback'], null],
    ['a stated answer', number, '3 + 4 = 7. The answer is 7.', ['7', 'phrase'], ['7', 'phrase']],
    ['####', number, '3 + 4 = 7\n#### 7', ['7', 'phrase'], ['7', 'phrase']],
    ['boxed', number, 'so \\boxed{7}', ['7', 'boxed'], ['7', 'boxed']],
    ['JSON', number, '{"answer": 7} and 8', ['7', 'json'], ['7', 'json']],
    ['a phrase with no answer after it', number, 'The answer is below.\n3 + 4 = 7', ['7', 'fallback'], null],
    ['a choice in prose', choice, 'Option (A) fails, so it must be C.', ['C', 'fallback'], null],
    ['yes/no in prose', yesno, 'Yes, a Muslim can eat it.', ['yes', 'fallback'], null],
    ['a text reply', text, 'Paris', ['Paris', 'fallback'], null],
    ['a stated text answer', text, 'Reasoning.\nThe answer is Paris.', ['Paris.', 'phrase'], ['Paris.', 'phrase']],
    [
      'a regex answer: the pattern is the statement',
      { type: 'regex', pattern: 'FINAL=(\\w+)' },
      'FINAL=cat',
      ['cat', 'phrase'],
      ['cat', 'phrase'],
    ],
    ['nothing at all', number, 'I cannot tell.', null, null],
  ])('%s', (_name, spec, completion, flexible, strict) => {
    expect(found(extractAnswer(completion, spec))).toEqual(flexible);
    expect(found(extractAnswer(completion, { ...spec, extractMode: 'flexible' }))).toEqual(flexible);
    expect(found(extractAnswer(completion, strictly(spec)))).toEqual(strict);
  });
});

describe('extractFromAnswerStep: the first candidate (Kojima et al.)', () => {
  it.each<[string, AnswerSpec, string, [string, Via] | null]>([
    ['a later phrase does not override', number, ' 25%. The answer (as a fraction) is 1/4.', ['25', 'phrase']],
    ['the first number', number, ' 18.\n\nThe total is 20.', ['18', 'phrase']],
    ['a thousands separator', number, ' 1,234 apples', ['1234', 'phrase']],
    ['a leading box', number, ' $\\boxed{\\frac{1}{4}}$.', ['1/4', 'boxed']],
    ['a choice', choice, ' (c) 600. The answer is B.', ['C', 'phrase']],
    ['yes/no', yesno, ' No. The answer is yes if...', ['no', 'phrase']],
    ['text: the first line', text, ' Paris.\nThe answer is Lyon.', ['Paris.', 'phrase']],
    ['nothing', number, ' unknown.', null],
    [
      'strict mode still takes it: the step continues an answer phrase',
      { type: 'number', extractMode: 'strict' },
      ' 7',
      ['7', 'phrase'],
    ],
  ])('%s', (_name, spec, step, expected) => expect(found(extractFromAnswerStep(step, spec))).toEqual(expected));
});
