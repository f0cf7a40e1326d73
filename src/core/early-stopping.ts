import { majorityVote } from './majority-vote.js';

/**
 * When self-consistency may stop sampling before its budget:
 * - `fixed`: never; every sample is drawn.
 * - `esc`: Early-Stopping Self-Consistency (Li et al. 2024): at the end of each window of `window`
 *   samples, stop when that window's answers are all the same valid answer.
 * - `beta`: Adaptive-Consistency (Aggarwal et al. 2023): after each sample, stop once the leader's
 *   lead is credible: P(p > 0.5) under Beta(leader + 1, runner-up + 1) ≥ `confidence`.
 */
export type StopRule = { kind: 'fixed' } | { kind: 'esc'; window: number } | { kind: 'beta'; confidence: number };

/**
 * P(p > 0.5) for p ~ Beta(a + 1, b + 1), with a = the leader's votes and b = the runner-up's.
 * For integer parameters 1 − I_0.5(a + 1, b + 1) = P(Binomial(a + b + 1, 1/2) ≤ a), a finite sum,
 * so no numerical integration is needed. By symmetry P(X ≤ a) = 1 − P(X ≤ b), so only the shorter
 * tail is summed, which keeps 1 − 2^-1001 from drifting. Counts are whole votes; anything else is
 * floored to one (negative or non-finite counts count as 0).
 */
export function betaConfidence(leaderVotes: number, runnerUpVotes: number): number {
  const a = wholeVotes(leaderVotes);
  const b = wholeVotes(runnerUpVotes);
  const trials = a + b + 1;
  return a >= b ? 1 - binomialHalfTail(b, trials) : binomialHalfTail(a, trials);
}

/** P(Binomial(trials, 1/2) ≤ atMost), summed in log space because 2^trials overflows past ~1000. */
function binomialHalfTail(atMost: number, trials: number): number {
  let logChoose = 0; // log C(trials, k), updated as k grows
  let probability = 0;
  for (let k = 0; k <= atMost; k++) {
    if (k > 0) logChoose += Math.log(trials - k + 1) - Math.log(k);
    probability += Math.exp(logChoose - trials * Math.LN2);
  }
  return Math.min(1, probability);
}

function wholeVotes(votes: number): number {
  return Number.isFinite(votes) && votes > 0 ? Math.floor(votes) : 0;
}

/** Whether sampling may stop after `answers` (the samples so far, in order; null = no answer). */
export function shouldStop(answers: ReadonlyArray<string | null>, rule: StopRule): boolean {
  switch (rule.kind) {
    case 'fixed':
      return false;
    case 'esc':
      return lastWindowAgrees(answers, rule.window);
    case 'beta':
      return leaderIsCredible(answers, rule.confidence);
    default:
      return false;
  }
}

function lastWindowAgrees(answers: ReadonlyArray<string | null>, window: number): boolean {
  // A window that is not a positive whole number never closes (the CLI rejects it before we get here).
  if (!Number.isInteger(window) || window < 1) return false;
  if (answers.length === 0 || answers.length % window !== 0) return false;
  const last = answers.slice(-window);
  return last[0] !== null && last.every((answer) => answer === last[0]);
}

function leaderIsCredible(answers: ReadonlyArray<string | null>, confidence: number): boolean {
  const vote = majorityVote(answers);
  if (vote.validVotes === 0) return false;
  const counts = Object.values(vote.votes).sort((x, y) => y - x);
  return betaConfidence(counts[0] ?? 0, counts[1] ?? 0) >= confidence;
}

/**
 * How many samples a run with this rule would have drawn, replayed over recorded samples: the first
 * t in 1..min(answers.length, maxSamples) at which `shouldStop` holds, else that limit.
 * A `maxSamples` that is not a number caps nothing.
 */
export function stoppingPoint(answers: ReadonlyArray<string | null>, rule: StopRule, maxSamples: number): number {
  const cap = Number.isNaN(maxSamples) ? answers.length : Math.max(0, Math.floor(maxSamples));
  const limit = Math.min(answers.length, cap);
  for (let taken = 1; taken <= limit; taken++) {
    if (shouldStop(answers.slice(0, taken), rule)) return taken;
  }
  return limit;
}
