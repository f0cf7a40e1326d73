import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { normalizeAnswer, numericValue } from '../core/normalize-answer.js';
import { applyNormalizeSteps } from '../core/normalize-steps.js';

/**
 * Whether an answer counts as correct. `expected` may list several acceptable answers; any match counts.
 * - `exact`: string equality after trimming both sides — Kojima et al.'s rule, which reproduces
 *   published numbers (so `5.00` is not `5`) — and after the task's `--normalize` steps, if any.
 * - `numeric`: when both sides are each one number (`1,000`, `$5`, `50%`, `1/2`), equal within 1e-9
 *   relative; otherwise as `normalized`.
 * - `normalized`: `normalizeAnswer` of both sides agree.
 * A null answer (nothing extracted) never matches.
 */
export function answerMatches(
  answer: string | null,
  expected: string | readonly string[],
  spec: AnswerSpec,
  mode: MatchMode,
): boolean {
  if (answer === null) return false;
  const acceptable: readonly string[] = typeof expected === 'string' ? [expected] : expected;
  return acceptable.some((candidate) => matchesOne(answer, candidate, spec, mode));
}

function matchesOne(answer: string, expected: string, spec: AnswerSpec, mode: MatchMode): boolean {
  switch (mode) {
    case 'exact':
      return asWritten(answer, spec) === asWritten(expected, spec);
    case 'numeric':
      return numbersAgree(answer, expected) ?? normalizedAgree(answer, expected, spec);
    case 'normalized':
      return normalizedAgree(answer, expected, spec);
    default:
      return false;
  }
}

/** Null when either side is not a number, so the caller falls back to normalized comparison. */
function numbersAgree(answer: string, expected: string): boolean | null {
  const actual = numericValue(answer);
  const wanted = numericValue(expected);
  if (actual === null || wanted === null) return null;
  if (actual === wanted) return true;
  return Math.abs(actual - wanted) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(wanted));
}

function normalizedAgree(answer: string, expected: string, spec: AnswerSpec): boolean {
  const actual = normalizeAnswer(answer, spec);
  return actual !== null && actual === normalizeAnswer(expected, spec);
}

function asWritten(value: string, spec: AnswerSpec): string {
  const steps = spec.normalize ?? [];
  return steps.length === 0 ? value.trim() : applyNormalizeSteps(value, steps);
}
