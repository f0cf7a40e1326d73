import { describe, expect, it } from 'vitest';
import { createInOrder } from '../../src/cli/in-order.js';
import { noColors } from '../../src/render/colors.js';
import { formatRecordLine, recordInput } from '../../src/render/record-line.js';
import { textWidth } from '../../src/render/text-width.js';
import { resultRecord } from '../support/result-record.js';

const layout = { width: 80, idWidth: 3 };

describe('formatRecordLine', () => {
  it.each([
    [
      'right',
      resultRecord({ id: '7', vars: { input: 'What is 6 times 7?' }, answer: '42', expected: '42' }),
      /^7 {4}What is 6 times 7\? +42 {2}✓$/,
    ],
    [
      'wrong, with what was expected',
      resultRecord({ id: '8', vars: { input: 'q' }, answer: '41', expected: ['42', 'forty-two'], correct: false }),
      /^8 {4}q +41 {2}✗ expected 42 or forty-two$/,
    ],
    ['nothing expected', resultRecord({ id: '9', vars: { input: 'q' }, expected: null, correct: null }), /^9 {4}q +1$/],
    [
      'an error in place of the answer',
      resultRecord({ id: '10', vars: { input: 'q' }, answer: null, correct: null, error: 'HTTP 500\nafter retries' }),
      /^10 {3}q +error: HTTP 500 after retries$/,
    ],
    [
      'a long input and a long text answer, cut',
      resultRecord({
        id: 'q1',
        vars: { input: 'word '.repeat(40) },
        answer: 'answer '.repeat(30),
        expected: null,
        correct: null,
      }),
      /^q1 {3}word word .*… {2}answer answer .*…$/,
    ],
  ])('%s', (_name, result, expected) => {
    const line = formatRecordLine(result, noColors, layout);
    expect(line).toMatch(expected);
    expect(textWidth(line)).toBeLessThanOrEqual(80);
  });

  it('drops the input on a narrow terminal', () => {
    const line = formatRecordLine(resultRecord({ id: '1', vars: { input: 'What?' } }), noColors, {
      width: 30,
      idWidth: 1,
    });
    expect(line).toBe('1  1  ✓');
  });

  it.each([
    [{ input: 'x', other: 'y' }, 'x'],
    [{ question: 'q', n: 3 }, 'q'],
    [{ n: 3 }, ''],
  ])('recordInput(%j) → %j', (vars, expected) => expect(recordInput(vars)).toBe(expected));
});

describe('createInOrder', () => {
  it('hands on in index order as gaps fill, and the rest on flush', () => {
    const seen: string[] = [];
    const inOrder = createInOrder<string>((item) => seen.push(item));
    inOrder.add(1, 'b');
    inOrder.add(3, 'd');
    expect(seen).toEqual([]);
    inOrder.add(0, 'a');
    expect(seen).toEqual(['a', 'b']);
    inOrder.add(5, 'f');
    inOrder.flush();
    expect(seen).toEqual(['a', 'b', 'd', 'f']);
  });
});
