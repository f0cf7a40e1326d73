import { describe, expect, it } from 'vitest';
import type { AnswerSpec, MatchMode } from '../../src/core/answer-spec.js';
import { answerMatches } from '../../src/scoring/match-answer.js';

const number: AnswerSpec = { type: 'number' };
const choice: AnswerSpec = { type: 'choice' };
const yesno: AnswerSpec = { type: 'yesno' };
const text: AnswerSpec = { type: 'text' };
const lettersOnly: AnswerSpec = { type: 'text', normalize: ['remove-whitespace', 'remove-punctuation'] };

describe('answerMatches', () => {
  it.each<[string | null, string | string[], AnswerSpec, MatchMode, boolean]>([
    // exact: Kojima et al.'s string equality
    ['14', '14', number, 'exact', true],
    ['14', ' 14 ', number, 'exact', true],
    ['5.00', '5', number, 'exact', false],
    ['.25', '0.25', number, 'exact', false],
    ['1234', '1,234', number, 'exact', false],
    ['yes', 'yes', yesno, 'exact', true],
    ['Yes', 'yes', yesno, 'exact', false],
    ['B', 'B', choice, 'exact', true],
    ['3', ['2', '3'], number, 'exact', true],
    // numeric
    ['5.00', '5', number, 'numeric', true],
    ['.25', '0.25', number, 'numeric', true],
    ['1234', '1,234', number, 'numeric', true],
    ['$1,234', '1234', number, 'numeric', true],
    ['1/3', '0.3333333333333333', number, 'numeric', true],
    ['3/4', '0.75', number, 'numeric', true],
    ['50%', '50', number, 'numeric', true],
    ['0.1', '0.100000001', number, 'numeric', false], // 1e-8 relative,
    ['1000000000', '1000000000.5', number, 'numeric', true],
    ['0', '-0', number, 'numeric', true],
    ['14', '15', number, 'numeric', false],
    ['14 apples', '14', number, 'numeric', true], // not one number: falls back to normalized
    ['B', '(b)', choice, 'numeric', true],
    ['yes', 'no', yesno, 'numeric', false],
    // normalized
    ['True', 'yes', yesno, 'normalized', true],
    ['(C)', 'C', choice, 'normalized', true],
    ['Paris.', 'paris', text, 'normalized', true],
    ['1,000', '1000.0', number, 'normalized', true],
    ['maybe', 'no', yesno, 'normalized', false],
    ['maybe', 'perhaps', yesno, 'normalized', false], // two invalid answers are not equal
    ['7', ['6', '$7.00'], number, 'normalized', true],
    [`'onea'.`, 'onea', text, 'normalized', true],
    ['**Paris**', '“Paris”', text, 'normalized', true],
    ['aao y', 'aaoy', text, 'normalized', false],
    // a task's own rule: --normalize applies to both sides in every mode
    ['aao y', 'aaoy', lettersOnly, 'normalized', true],
    [`yih'a.`, 'yiha', lettersOnly, 'normalized', true],
    ['aao y', 'aaoy', lettersOnly, 'exact', true],
    ['aao y', 'aaoy', text, 'exact', false],
    ['Aaoy', 'aaoy', lettersOnly, 'exact', false], // exact keeps case unless the rule lower-cases
    ['The Eiffel Tower', 'eiffel tower', { type: 'text', normalize: ['remove-articles'] }, 'normalized', true],
    // nothing to match
    [null, '14', number, 'exact', false],
    [null, '14', number, 'numeric', false],
    [null, 'x', text, 'normalized', false],
    ['14', [], number, 'exact', false],
  ])('%j vs %j (%j, %s) → %s', (answer, expected, spec, mode, matches) =>
    expect(answerMatches(answer, expected, spec, mode)).toBe(matches),
  );
});
