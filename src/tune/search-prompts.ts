/**
 * The search over candidates on the dev part, within a request budget: successive halving (or every
 * candidate on all of dev with --search exhaustive), then, with --rounds R, R more stages in which the
 * model paraphrases the best instruction so far and the paraphrases are searched against it (APE's
 * iterative search, Zhou et al. 2022).
 *
 * Pure over an evaluator: running the evaluations (the runner, the cache, the endpoint) is the caller's,
 * so the decisions — who is evaluated on which slice, who survives, when the budget stops it — are tested
 * with a table of answers.
 */
import { UsageError } from '../errors.js';
import type { TuneRound } from '../scoring/tune-report.js';
import type { Candidate } from './candidate-product.js';
import type { RequestBudget } from './request-budget.js';
import {
  type HalvingRound,
  minimumHalvingCost,
  planHalving,
  rankStandings,
  keepBetterHalf,
  type Standing,
} from './successive-halving.js';

export type SearchMode = 'halving' | 'exhaustive';

/** Why a search ended before its plan did. */
export type SearchStop = 'budget' | 'interrupted';

export interface SearchEvaluator {
  /**
   * Evaluates the candidates on the first `records` dev records, skipping evaluations already made,
   * record by record while the budget admits them. Returns how many of those records every one of the
   * candidates now has, and why it stopped short, if it did.
   */
  evaluate(candidates: readonly string[], records: number): Promise<{ records: number; stop: SearchStop | null }>;
  /** A candidate's correct answers on the first `records` dev records. */
  standing(candidate: string, records: number): Standing;
}

export interface ParaphraseRounds {
  rounds: number;
  /** Paraphrases asked for in each round. */
  count: number;
  /** New candidates: `best` with its instruction paraphrased, ids from `firstId`; charges its requests to the budget. */
  propose(best: Candidate, firstId: number): Promise<Candidate[]>;
}

export interface SearchOptions {
  candidates: readonly Candidate[];
  devSize: number;
  mode: SearchMode;
  budget: RequestBudget;
  /** --budget, or null for the default: half of evaluating every candidate on all of dev. */
  budgetGiven: number | null;
  paraphrase: ParaphraseRounds | null;
  evaluator: SearchEvaluator;
  note(message: string): void;
}

/** One round of the search, as the tune/v1 document lists it. */
export type SearchRound = TuneRound;

export interface SearchTrace {
  /** Every candidate, the paraphrases included, in id order. */
  candidates: Candidate[];
  rounds: SearchRound[];
  /** The last round each candidate was evaluated in. */
  stoppedAtRound: Map<string, number>;
  best: Candidate;
  stop: SearchStop | null;
}

export async function searchPrompts(options: SearchOptions): Promise<SearchTrace> {
  const { devSize, mode, budget, evaluator } = options;
  const candidates = [...options.candidates];
  const baseline = candidates[0]!;
  const paraphraseRounds = options.paraphrase?.rounds ?? 0;
  const paraphraseCount = options.paraphrase?.count ?? 0;
  const trace: SearchTrace = { candidates, rounds: [], stoppedAtRound: new Map(), best: baseline, stop: null };

  // Every evaluation makes at least one request: a budget that cannot pay for the least search is refused
  // before anything is spent, and again once the probe has measured what an evaluation costs.
  // The probe (the baseline on the first dev record) is the first evaluation of the first round: what it
  // cost is what the plan reckons each evaluation at. Plans count what the rounds so far evaluated, not
  // what the budget has seen, so a resumed search (its evaluations replayed at the start) plans the same.
  checkBudget(options, 1, budget.charged());
  const probe = await evaluator.evaluate([baseline.id], 1);
  if (probe.stop !== null) return { ...trace, stop: probe.stop };
  const cost = budget.costPerEvaluation();
  checkBudget(options, cost, budget.charged());
  if (options.budgetGiven === null) {
    budget.setLimit(
      mode === 'exhaustive'
        ? Number.POSITIVE_INFINITY
        : budget.charged() + defaultSearchBudget(candidates.length, devSize, cost, options.paraphrase),
    );
  }
  const plannedSpent = () => budget.charged() + trace.rounds.reduce((sum, round) => sum + round.evaluations, 0) * cost;

  const covered = new Map<string, number>();
  let incumbent = baseline;
  let stageCandidates = candidates.map((candidate) => candidate.id);
  for (let stage = 0; stage <= paraphraseRounds; stage++) {
    if (stage > 0) {
      const proposed = await options.paraphrase!.propose(incumbent, candidates.length);
      if (proposed.length === 0) {
        options.note(`paraphrase round ${stage}: the model proposed nothing new; the search ends here`);
        break;
      }
      candidates.push(...proposed);
      stageCandidates = [incumbent.id, ...proposed.map((candidate) => candidate.id)];
    }
    const newCandidates = stage === 0 ? candidates.length : paraphraseCount;
    const stillToCome = newCandidates + (paraphraseRounds - stage) * paraphraseCount;
    const available = budget.limit - plannedSpent();
    const stageBudget = (available * newCandidates) / stillToCome;
    const rounds = stageRounds(mode, stageCandidates.length, devSize, cost, stageBudget);
    if (rounds === null) {
      options.note(`paraphrase round ${stage}: the budget left cannot evaluate its candidates; the search ends here`);
      break;
    }
    const winner = await runStage(stage, stageCandidates, rounds, options, trace, covered);
    incumbent = candidates.find((candidate) => candidate.id === winner)!;
    trace.best = incumbent;
    if (trace.stop !== null) break;
  }
  return trace;
}

/**
 * The requests a halving search may spend without --budget: half of evaluating every candidate (the
 * paraphrases to come included) on all of dev, and never less than the least search of each stage.
 */
export function defaultSearchBudget(
  candidates: number,
  devSize: number,
  cost: number,
  paraphrase: Pick<ParaphraseRounds, 'rounds' | 'count'> | null,
): number {
  const rounds = paraphrase?.rounds ?? 0;
  const count = paraphrase?.count ?? 0;
  return Math.max(
    Math.ceil(((candidates + rounds * count) * devSize * cost) / 2),
    minimumHalvingCost(candidates, devSize, cost) + rounds * minimumHalvingCost(count + 1, devSize, cost),
  );
}

function stageRounds(
  mode: SearchMode,
  count: number,
  devSize: number,
  cost: number,
  budget: number,
): HalvingRound[] | null {
  if (mode === 'exhaustive') return [{ candidates: count, records: devSize }];
  return planHalving({ candidates: count, devSize, costPerEvaluation: cost, budget })?.rounds ?? null;
}

/** The rounds of one stage; returns its winner. */
async function runStage(
  stage: number,
  first: readonly string[],
  rounds: readonly HalvingRound[],
  options: SearchOptions,
  trace: SearchTrace,
  /** Dev records each candidate was evaluated on in earlier rounds. */
  covered: Map<string, number>,
): Promise<string> {
  const order = trace.candidates.map((candidate) => candidate.id);
  let alive = [...first];
  for (const [index, planned] of rounds.entries()) {
    const round = trace.rounds.length + 1;
    const evaluated = await options.evaluator.evaluate(alive, planned.records);
    for (const id of alive) trace.stoppedAtRound.set(id, round);
    const standings = alive.map((id) => options.evaluator.standing(id, evaluated.records));
    let evaluations = 0;
    for (const id of alive) {
      evaluations += Math.max(0, evaluated.records - (covered.get(id) ?? 0));
      covered.set(id, Math.max(evaluated.records, covered.get(id) ?? 0));
    }
    const last = index === rounds.length - 1 || evaluated.stop !== null;
    const kept = last ? [rankStandings(standings, order)[0]!.id] : keepBetterHalf(standings, order);
    trace.rounds.push({
      round,
      stage,
      records: evaluated.records,
      candidates: alive,
      kept,
      evaluations,
    });
    if (evaluated.stop === 'budget')
      options.note(
        `the budget ran out in round ${round}: the best of ${alive.length} candidates on ${evaluated.records} dev record(s) wins`,
      );
    trace.stop = evaluated.stop;
    alive = kept;
    if (last) break;
  }
  return alive[0]!;
}

/** A --budget too small for the least search there is (or for --search exhaustive) is refused. */
function checkBudget(options: SearchOptions, cost: number, spent: number): void {
  const given = options.budgetGiven;
  if (given === null) return;
  const count = options.candidates.length;
  if (options.mode === 'exhaustive') {
    const needed = count * options.devSize * cost;
    if (spent + needed > given)
      throw new UsageError(
        `--budget ${given}: --search exhaustive evaluates ${count} candidates on ${options.devSize} dev records, ${needed} requests${spent > 0 ? ` after the ${spent} spent proposing instructions` : ''}; raise --budget or use --search halving`,
      );
    return;
  }
  const least = minimumHalvingCost(count, options.devSize, cost);
  if (spent + least > given)
    throw new UsageError(
      `--budget ${given}: the least search of ${count} candidates (one dev record each, then halving) needs ${least} requests${spent > 0 ? ` after the ${spent} spent proposing instructions` : ''}; raise --budget or give fewer candidates`,
    );
}
