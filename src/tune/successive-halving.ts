/**
 * Successive halving (Karnin et al. 2013; Jamieson & Talwalkar 2016): evaluate every candidate on a small
 * slice of dev, keep the better half, double the slice, until one candidate remains or the slice is the
 * whole of dev. Slices are nested (round r's records are the first `records` of dev, which hold round
 * r−1's), and an evaluation is never repeated, so a survivor only pays for the records its slice gained.
 *
 * Planning is in evaluations (candidate × record); `costPerEvaluation` turns them into requests.
 */

export interface HalvingRound {
  /** Candidates evaluated in this round. */
  candidates: number;
  /** The slice: the first `records` dev records. */
  records: number;
}

/** The rounds successive halving makes from `candidates` on `firstSlice` records of a dev part of `devSize`. */
export function halvingSchedule(candidates: number, devSize: number, firstSlice: number): HalvingRound[] {
  const rounds: HalvingRound[] = [];
  let remaining = candidates;
  let records = Math.min(Math.max(1, firstSlice), devSize);
  for (;;) {
    rounds.push({ candidates: remaining, records });
    // On the whole of dev more rounds learn nothing new: the best there is the winner.
    if (records >= devSize) return rounds;
    remaining = Math.ceil(remaining / 2);
    if (remaining <= 1) return rounds;
    records = Math.min(records * 2, devSize);
  }
}

/** Evaluations a schedule makes: each round's candidates on the records its slice gained. */
export function scheduleEvaluations(rounds: readonly HalvingRound[]): number {
  let total = 0;
  let previous = 0;
  for (const round of rounds) {
    total += round.candidates * (round.records - previous);
    previous = round.records;
  }
  return total;
}

export interface HalvingPlan {
  rounds: HalvingRound[];
  /** Requests the plan expects to spend. */
  cost: number;
}

/**
 * The schedule with the largest first slice whose cost fits `budget`: the more records each candidate
 * is first judged on, the fewer good ones a noisy first round throws away. Null when even a first slice
 * of one record does not fit.
 */
export function planHalving(options: {
  candidates: number;
  devSize: number;
  costPerEvaluation: number;
  budget: number;
}): HalvingPlan | null {
  const { candidates, devSize, costPerEvaluation, budget } = options;
  const costOf = (firstSlice: number) =>
    scheduleEvaluations(halvingSchedule(candidates, devSize, firstSlice)) * costPerEvaluation;
  if (costOf(1) > budget) return null;
  // The cost grows with the first slice: binary search for the largest that fits.
  let low = 1;
  let high = devSize;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (costOf(middle) <= budget) low = middle;
    else high = middle - 1;
  }
  const rounds = halvingSchedule(candidates, devSize, low);
  return { rounds, cost: costOf(low) };
}

/** The least a halving search of these candidates can cost: one record each in the first round. */
export function minimumHalvingCost(candidates: number, devSize: number, costPerEvaluation: number): number {
  return scheduleEvaluations(halvingSchedule(candidates, devSize, 1)) * costPerEvaluation;
}

export interface Standing {
  id: string;
  correct: number;
  /** Records scored in the comparison (the same for every candidate of a round). */
  n: number;
}

/**
 * The candidates ranked best first: by accuracy on the records of the round, ties to the earlier
 * candidate (the baseline is first), so a change has to do better than the baseline, not as well, to win.
 */
export function rankStandings(standings: readonly Standing[], order: readonly string[]): Standing[] {
  const accuracy = (standing: Standing) => (standing.n === 0 ? 0 : standing.correct / standing.n);
  return [...standings].sort(
    (left, right) => accuracy(right) - accuracy(left) || order.indexOf(left.id) - order.indexOf(right.id),
  );
}

/** The better half (rounded up) of a round's candidates, in ranking order. */
export function keepBetterHalf(standings: readonly Standing[], order: readonly string[]): string[] {
  const ranked = rankStandings(standings, order);
  return ranked.slice(0, Math.ceil(ranked.length / 2)).map((standing) => standing.id);
}
