/**
 * Self-consistency re-scored from its recorded samples, as `score --max-samples K` does it: the vote of
 * the first k samples for k = 1…K (majorityVote, the very function live runs use), and how often the
 * majority is right at each level of agreement.
 */
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { majorityVote } from '../core/majority-vote.js';
import { answerKey, firstSpelling } from '../core/read-answer.js';
import type { ResultRecord } from '../core/records.js';
import { answerMatches } from '../scoring/match-answer.js';
import { wilsonInterval } from '../scoring/statistics.js';

/** Whether `answer` is right for `result`'s record; null when the record has no expected answer. */
export type Judge = (result: ResultRecord, answer: string | null) => boolean | null;

/**
 * The record's own answer keeps the correctness the run recorded (so k = K reproduces the run's
 * accuracy whatever the flags); any other answer is matched against `expected` with `answer`/`match`.
 */
export function recordedJudge(answer: AnswerSpec, match: MatchMode): Judge {
  return (result, candidate) => {
    if (result.expected === null) return null;
    if (candidate === null) return false;
    if (candidate === result.answer && result.correct !== null) return result.correct;
    return answerMatches(candidate, result.expected, answer, match);
  };
}

/**
 * Records whose recorded answer the matcher would score differently from the run: a sign that the
 * `--answer`/`--match` given are not the ones the run used, so votes at smaller k may be misjudged.
 */
export function judgeDisagreements(results: readonly ResultRecord[], answer: AnswerSpec, match: MatchMode): number {
  return results.filter(
    (result) =>
      result.expected !== null &&
      result.correct !== null &&
      result.answer !== null &&
      answerMatches(result.answer, result.expected, answer, match) !== result.correct,
  ).length;
}

export interface SamplePoint {
  /** Samples voted per record (fewer where a record has fewer recorded). */
  k: number;
  correct: number;
  scored: number;
  accuracy: number;
  ci95: [number, number];
}

/**
 * Accuracy of the majority of the first k samples, k = 1 … the most samples any record holds. Records
 * are scored as the summary scores them: every record with an expected answer counts, an errored one as
 * wrong, so the last point is the cell's accuracy when every sample was voted.
 */
export function accuracyBySamples(results: readonly ResultRecord[], judge: Judge, spec: AnswerSpec): SamplePoint[] {
  const scorable = results.filter((result) => result.expected !== null);
  const most = Math.max(0, ...scorable.map((result) => result.completions.length));
  if (scorable.length === 0) return [];
  return Array.from({ length: most }, (_, index) => {
    const k = index + 1;
    const correct = scorable.filter((result) => {
      if (result.error !== null) return false;
      // Spellings of one answer vote together under its key, as in the live vote; the winner is reported
      // as first written, so at k = K it is the record's own answer.
      const answers = result.completions.slice(0, k).map((completion) => completion.answer);
      const keys = answers.map((answer) => answerKey(answer, spec));
      return judge(result, firstSpelling(majorityVote(keys).answer, answers, keys)) === true;
    }).length;
    return {
      k,
      correct,
      scored: scorable.length,
      accuracy: correct / scorable.length,
      ci95: wilsonInterval(correct, scorable.length),
    };
  });
}

export interface AgreementLevel {
  /** The share of valid votes the winner drew, at least this… */
  from: number;
  /** …and below this (the last level is exactly 1). */
  to: number;
  label: string;
  records: number;
  correct: number;
  /** null when no record falls in this level. */
  accuracy: number | null;
}

/** Levels as the issue reads them: under 40 %, 40 %, 60 %, 80 % of samples agreeing, and all of them. */
const levels: ReadonlyArray<Pick<AgreementLevel, 'from' | 'to' | 'label'>> = [
  { from: 0, to: 0.4, label: '< 40 %' },
  { from: 0.4, to: 0.6, label: '40–59 %' },
  { from: 0.6, to: 0.8, label: '60–79 %' },
  { from: 0.8, to: 1, label: '80–99 %' },
  { from: 1, to: 1, label: '100 %' },
];

// 3/5 is 0.6 in floating point, but 0.7 * 10 / 10 style ratios may land a hair below a boundary.
const tolerance = 1e-9;

/**
 * How often the majority is right at each level of agreement: a calibration view (if 60 % agreement is
 * right as often as 100 %, agreement says little). Records without a vote, an expected answer or any
 * valid answer are left out.
 */
export function accuracyByAgreement(results: readonly ResultRecord[]): AgreementLevel[] {
  const voted = results.filter(
    (result): result is ResultRecord & { agreement: number } =>
      typeof result.agreement === 'number' && result.error === null && result.correct !== null,
  );
  return levels.map((level) => {
    const inLevel = voted.filter((result) =>
      level.from === 1
        ? result.agreement >= 1 - tolerance
        : result.agreement + tolerance >= level.from && result.agreement + tolerance < level.to,
    );
    const correct = inLevel.filter((result) => result.correct === true).length;
    return {
      ...level,
      records: inLevel.length,
      correct,
      accuracy: inLevel.length > 0 ? correct / inLevel.length : null,
    };
  });
}
