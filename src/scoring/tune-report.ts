/**
 * The `tune --json` document (`promptlab.tune/v1`): every candidate with its dev score and the round it
 * stopped at, the search's rounds, and — the only numbers that are the result — the best and the
 * baseline on the test part the search never saw, with 95% Wilson intervals and the paired exact McNemar
 * test. Field names are a contract: scripts read them (README, "Tuning a prompt").
 */
import type { Usage } from '../core/chat-client.js';
import { pairedComparison } from './compare-report.js';
import { wilsonInterval } from './statistics.js';

export const tuneSchemaId = 'promptlab.tune/v1';

export interface AccuracyScore {
  n: number;
  correct: number;
  /** correct / n; null when nothing was scored. */
  accuracy: number | null;
  ci95: [number, number] | null;
}

export interface TuneCandidateEntry {
  id: string;
  label: string;
  source: 'baseline' | 'given' | 'generated';
  /** The template it renders (name or path). */
  template: string;
  /** Set only where the strategy takes a trigger. */
  trigger?: string;
  /** Set when the candidate (or --system) sets the system instruction. */
  system?: string;
  shots?: number;
  /** The demonstration set it carries: ids, or file:line where a demonstration has none. */
  demonstrations?: string[];
  dev: AccuracyScore;
  /** The last search round it was evaluated in. */
  stoppedAtRound: number;
}

export interface TuneRound {
  round: number;
  /** 0 for the search over the candidates given, then one per paraphrase round (--rounds). */
  stage: number;
  /** Dev records each candidate of the round was evaluated on (the slice). */
  records: number;
  candidates: string[];
  kept: string[];
  /** Evaluations (candidate × record) the round made: its candidates on the records their slice gained. */
  evaluations: number;
}

export interface TuneTest {
  best: AccuracyScore;
  baseline: AccuracyScore;
  /** best − baseline accuracy over the test records both scored. */
  delta: number;
  /** Two-sided exact McNemar p-value over those records. */
  pValue: number;
  /** Records the best got right and the baseline wrong, and the other way round. */
  better: number;
  worse: number;
}

export interface TuneReport {
  schema: typeof tuneSchemaId;
  strategy: string;
  model: string;
  dataset: { path: string; fingerprint: string; records: number };
  seed: number;
  split: { dev: number; test: number; fraction: number };
  search: 'halving' | 'exhaustive';
  /** The search's requests: its limit (null: none) and what it spent. */
  budget: { limit: number | null; spent: number };
  candidates: TuneCandidateEntry[];
  best: TuneCandidateEntry;
  baseline: TuneCandidateEntry;
  test: TuneTest;
  rounds: TuneRound[];
  /** HTTP requests made for everything in the document (search, proposals and test), retries included. */
  requests: number;
  usage: Usage;
}

/** correct/n with its interval, from per-record correctness (null: nothing to score, left out). */
export function accuracyScore(correctness: Iterable<boolean | null>): AccuracyScore {
  let n = 0;
  let correct = 0;
  for (const value of correctness) {
    if (value === null) continue;
    n++;
    if (value) correct++;
  }
  return {
    n,
    correct,
    accuracy: n === 0 ? null : correct / n,
    ci95: n === 0 ? null : wilsonInterval(correct, n),
  };
}

/** The test section: both on the test part, paired by record id. */
export function tuneTest(
  best: ReadonlyMap<string, boolean | null>,
  baseline: ReadonlyMap<string, boolean | null>,
): TuneTest {
  const paired = pairedComparison(baseline, best);
  return {
    best: accuracyScore(best.values()),
    baseline: accuracyScore(baseline.values()),
    delta: paired.delta,
    pValue: paired.pValue,
    better: paired.better,
    worse: paired.worse,
  };
}
