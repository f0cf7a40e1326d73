import { describe, expect, it } from 'vitest';
import type { AnswerSpec, Pick } from '../../src/core/answer-spec.js';
import { extractAnswer } from '../../src/core/extract-answer.js';

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
    }));

  it('ignores answer phrases: the pattern is the rule', () =>
    expect(extractAnswer('The answer is x. FINAL=y', spec)?.raw).toBe('y'));

  it('returns null for an invalid pattern instead of throwing', () =>
    expect(extractAnswer('anything', { type: 'regex', pattern: '(' })).toBeNull());
});
