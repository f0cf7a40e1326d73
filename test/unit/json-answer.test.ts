import { describe, expect, it } from 'vitest';
import { findJsonAnswers } from '../../src/core/json-answer.js';

const values = (text: string) => findJsonAnswers(text).map((answer) => answer.value);

describe('findJsonAnswers', () => {
  it.each<[string, string, string[]]>([
    // Where the object is.
    ['bare, one line', '{"reasoning": "3 + 4 = 7", "answer": "7"}', ['7']],
    ['fenced', 'Here you go:\n```json\n{\n  "reasoning": "...",\n  "answer": 42\n}\n```', ['42']],
    ['fenced without a language', '```\n{"answer": "B"}\n```', ['B']],
    ['followed by prose', '{"answer": "70000"}\n```\n\nThe key steps are: 1. buy 2. sell', ['70000']],
    ['after prose', 'Let me work it out. 3 + 4 = 7.\n{"answer": 7}', ['7']],
    // What the field is called.
    ['final_answer', '{"final_answer": "18"}', ['18']],
    ['Answer', '{"Answer": "C"}', ['C']],
    ['finalAnswer', '{"finalAnswer": 3}', ['3']],
    ['"final answer"', '{"final answer": "yes"}', ['yes']],
    ['final_answer beats answer', '{"answer": "see below", "final_answer": "12"}', ['12']],
    ['answer_explanation is not the answer', '{"answer_explanation": "7", "result": 8}', []],
    // What the value is.
    ['a number', '{"answer": 70000}', ['70000']],
    ['a negative decimal', '{"answer": -2.5}', ['-2.5']],
    ['a string with units', '{"answer": "70000 dollars"}', ['70000 dollars']],
    ['a currency string', '{"answer": "$70,000"}', ['$70,000']],
    ['a boolean', '{"answer": false}', ['false']],
    ['a list', '{"answer": ["A", "C"]}', ['A, C']],
    ['an object with a value', '{"answer": {"value": 70000, "unit": "USD"}}', ['70000']],
    ['a LaTeX string', '{"answer": "\\\\frac{1}{4}"}', ['\\frac{1}{4}']],
    ['an escaped string', '{"answer": "New \\"York\\""}', ['New "York"']],
    ['null says nothing', '{"answer": null}', []],
    ['an empty string says nothing', '{"answer": "  "}', []],
    // Nested objects.
    ['nested one level', '{"solution": {"steps": ["a", "b"], "final_answer": "18"}}', ['18']],
    ['in a list', '[{"step": 1}, {"answer": 5}]', ['5']],
    ['the shallowest wins', '{"answer": 1, "check": {"answer": 2}}', ['1']],
    ['a null top answer falls to a nested one', '{"answer": null, "detail": {"answer": 4}}', ['4']],
    // Several objects: each in order.
    ['several objects', '{"answer": 3}\nOn reflection:\n{"answer": 4}', ['3', '4']],
    ['a braces in a string do not end the object', '{"reasoning": "a set {1, 2}", "answer": 2}', ['2']],
    // Not quite JSON.
    ['a trailing comma', '{"reasoning": "x", "answer": 14,}', ['14']],
    ['a raw newline in a string', '{"reasoning": "Step 1: 3+4=7\nStep 2: 7*2=14", "answer": 14}', ['14']],
    ['Python quotes', "{'reasoning': 'it is 12', 'answer': 12}", ['12']],
    ['Python quotes around a string', "{'answer': 'B'}", ['B']],
    ['unquoted keys', '{answer: 42, reasoning: "..."}', ['42']],
    ['a comment', '{\n  "answer": 42 // the total\n}', ['42']],
    ['cut off after the answer', '{"answer": 42, "explanation": "The total is', ['42']],
    ['cut off inside the answer', '{"reasoning": "long", "answer": "1', []],
    ['an answer inside the reasoning of broken JSON, then the field', '{"reasoning": "answer: 5" "answer": 7', ['7']],
    // Not objects at all.
    ['LaTeX', 'So $\\frac{1}{2}$ and \\boxed{5}.', []],
    ['a set', 'The set {1, 2, 3} has 3 elements', []],
    ['handlebars', 'Hello {{name}}', []],
    ['an object without an answer', '{"reasoning": "the answer is 5"}', []],
    ['no braces', 'The answer is 5.', []],
  ])('%s', (_name, text, expected) => expect(values(text)).toEqual(expected));

  it('gives where each object starts and ends', () =>
    expect(findJsonAnswers('x {"answer": 1} y {"answer": 2')).toEqual([
      { value: '1', index: 2, end: 15 },
      { value: '2', index: 18, end: 30 },
    ]));

  it('reads a deeply nested object, then thousands of unclosed ones', () => {
    const reply = `${'{"a": {"b": '.repeat(5000)}1${'}}'.repeat(5000)} ${'{"a": '.repeat(20000)} {"answer": 3}`;
    expect(values(reply)).toEqual(['3']);
  });
});
