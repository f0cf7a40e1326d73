import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerSpec, Pick } from '../../src/core/answer-spec.js';
import { betaConfidence, stoppingPoint, type StopRule } from '../../src/core/early-stopping.js';
import { extractAnswer } from '../../src/core/extract-answer.js';
import { majorityVote } from '../../src/core/majority-vote.js';
import { normalizeAnswer } from '../../src/core/normalize-answer.js';
import { answerMatches } from '../../src/scoring/match-answer.js';

const specs: AnswerSpec[] = [
  { type: 'number' },
  { type: 'choice' },
  { type: 'choice', choices: ['a', 'B', 'c.d', '(x)'] },
  { type: 'yesno' },
  { type: 'text' },
  { type: 'regex', pattern: 'Answer: (\\w*)' },
  { type: 'regex', pattern: 'a(.*)' },
  { type: 'regex', pattern: '\\d*' },
  { type: 'regex', pattern: '(' }, // invalid: must not throw either
  { type: 'text', normalize: ['remove-whitespace', 'remove-punctuation'] },
  { type: 'text', normalize: ['remove-articles', 'strip-quotes'] },
  { type: 'regex', pattern: 'Answer: (.*)', normalize: ['lowercase', 'remove-articles', 'remove-whitespace'] },
  { type: 'number', extractMode: 'strict' },
];
const spec = fc.constantFrom(...specs);
const pick = fc.constantFrom<Pick>('first', 'last');

// Fragments that exercise the grammars (numbers, LaTeX, choices, answer phrases) more often than random text would.
const fragment = fc.constantFrom(
  '1',
  '0',
  '7',
  ',',
  '.',
  '/',
  '-',
  '+',
  '−',
  '$',
  '%',
  'e',
  'E',
  ' ',
  '\n',
  'a',
  'B',
  '(',
  ')',
  '[',
  ']',
  '\\frac{',
  '}{',
  '}',
  '{',
  '{,}',
  '\\,',
  '\\boxed{',
  '####',
  'the answer is ',
  'Answer:',
  'yes',
  'No',
  'TRUE',
  "'",
  '"',
  '`',
  '“',
  '**',
  '_',
  ' the ',
  '{"answer": ',
  '{"final_answer": "',
  '"}',
  '<answer>',
  '</answer>',
  'I hope it is correct.',
);
const answerish = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }), answerish);

describe('extraction and normalization never crash and stay consistent', () => {
  it('extractAnswer returns null or a non-empty raw whose normalization it reports', () =>
    fc.assert(
      fc.property(anyText, spec, pick, (text, answerSpec, which) => {
        const answer = extractAnswer(text, answerSpec, which);
        if (answer === null) return true;
        return answer.raw !== '' && answer.normalized === normalizeAnswer(answer.raw, answerSpec);
      }),
      { numRuns: 2000 },
    ));

  it('strict extraction finds a stated answer or nothing, and flexible finds the same stated answer', () =>
    fc.assert(
      fc.property(anyText, spec, pick, (text, answerSpec, which) => {
        const strict = extractAnswer(text, { ...answerSpec, extractMode: 'strict' }, which);
        if (strict === null) return true;
        const flexible = extractAnswer(text, { ...answerSpec, extractMode: 'flexible' }, which);
        expect(strict.via).not.toBe('fallback');
        expect(flexible).toEqual(strict);
      }),
      { numRuns: 2000 },
    ));

  it('normalizeAnswer is idempotent for every answer type', () =>
    fc.assert(
      fc.property(anyText, spec, (value, answerSpec) => {
        const once = normalizeAnswer(value, answerSpec);
        return once === null || normalizeAnswer(once, answerSpec) === once;
      }),
      { numRuns: 3000 },
    ));

  it('a normalized answer matches itself in every mode', () =>
    fc.assert(
      fc.property(anyText, spec, (value, answerSpec) => {
        const once = normalizeAnswer(value, answerSpec);
        if (once === null) return true;
        return (['exact', 'numeric', 'normalized'] as const).every((mode) =>
          answerMatches(once, [value, once], answerSpec, mode),
        );
      }),
      { numRuns: 1000 },
    ));

  it('integers written with thousands separators normalize to their digits', () =>
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (integer) => {
        const withCommas = integer.toLocaleString('en-US');
        expect(normalizeAnswer(withCommas, { type: 'number' })).toBe(integer.toString());
      }),
    ));

  it('decimals normalize to the value JavaScript prints for them', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 9999 }),
        (whole, hundredths) => {
          const written = `${whole}.${String(hundredths).padStart(4, '0')}000`;
          expect(normalizeAnswer(written, { type: 'number' })).toBe(String(Number(written)));
        },
      ),
    ));
});

const answers = fc.array(fc.option(fc.constantFrom<string>('1', '2', '3', 'yes', '__proto__', ''), { nil: null }), {
  maxLength: 60,
});

describe('majorityVote', () => {
  it('vote counts sum to the non-null answers, and the winner has the top count', () =>
    fc.assert(
      fc.property(answers, (samples) => {
        const result = majorityVote(samples);
        const nonNull = samples.filter((answer) => answer !== null).length;
        const counts = Object.values(result.votes);
        const top = Math.max(0, ...counts);
        expect(counts.reduce((sum, count) => sum + count, 0)).toBe(nonNull);
        expect(result.validVotes).toBe(nonNull);
        expect(result.answer === null).toBe(nonNull === 0);
        if (result.answer !== null) {
          expect(result.votes[result.answer]).toBe(top);
          expect(result.agreement).toBe(top / nonNull);
          const firstSeen = (answer: string) => samples.indexOf(answer);
          expect(firstSeen(result.answer)).toBe(Math.min(...[result.answer, ...result.tiedWith].map(firstSeen)));
        }
        expect(result.tiedWith.every((answer) => result.votes[answer] === top && answer !== result.answer)).toBe(true);
      }),
    ));
});

const rule = fc.oneof(
  fc.constant<StopRule>({ kind: 'fixed' }),
  fc.integer({ min: -1, max: 6 }).map<StopRule>((window) => ({ kind: 'esc', window })),
  fc.double({ min: 0, max: 1.2, noNaN: true }).map<StopRule>((confidence) => ({ kind: 'beta', confidence })),
);

describe('early stopping', () => {
  it('stoppingPoint stays within 1..min(samples, max), and fixed uses them all', () =>
    fc.assert(
      fc.property(answers, rule, fc.integer({ min: -2, max: 80 }), (samples, stopRule, maxSamples) => {
        const limit = Math.max(0, Math.min(samples.length, maxSamples));
        const point = stoppingPoint(samples, stopRule, maxSamples);
        expect(point).toBeGreaterThanOrEqual(Math.min(1, limit));
        expect(point).toBeLessThanOrEqual(limit);
        if (stopRule.kind === 'fixed') expect(point).toBe(limit);
      }),
    ));

  it('betaConfidence is a probability that grows with the lead', () =>
    fc.assert(
      fc.property(fc.nat(300), fc.nat(300), (a, b) => {
        const confidence = betaConfidence(a, b);
        expect(confidence).toBeGreaterThanOrEqual(0);
        expect(confidence).toBeLessThanOrEqual(1);
        expect(betaConfidence(a + 1, b)).toBeGreaterThanOrEqual(confidence);
        expect(betaConfidence(a, b + 1)).toBeLessThanOrEqual(confidence);
        expect(confidence + betaConfidence(b, a)).toBeCloseTo(1, 9);
      }),
    ));
});
