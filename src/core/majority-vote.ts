/**
 * The vote of self-consistency (Wang et al. 2022) over already-normalized answers.
 * `votes` maps each answer to its count, inserted in first-occurrence order (JavaScript still lists
 * integer-like keys such as "14" first, in ascending order, so read the order from `answers` when it
 * matters). `agreement` is top votes / valid votes, null when no answer was valid.
 */
export interface VoteResult {
  answer: string | null;
  votes: Record<string, number>;
  agreement: number | null;
  validVotes: number;
  /** The other answers that drew the winner's count, in first-occurrence order; empty without a tie. */
  tiedWith: string[];
}

/**
 * Null answers (failed extractions) do not vote. A tie goes to the answer that appeared first, so
 * the same samples always give the same winner.
 */
export function majorityVote(answers: ReadonlyArray<string | null>): VoteResult {
  // A Map keeps first-occurrence order and is safe for answers such as "__proto__".
  const counts = new Map<string, number>();
  for (const answer of answers) {
    if (answer !== null) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  }
  let winner: string | null = null;
  let topVotes = 0;
  for (const [answer, count] of counts) {
    if (count > topVotes) [winner, topVotes] = [answer, count];
  }
  const validVotes = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const tiedWith = [...counts]
    .filter(([answer, count]) => count === topVotes && answer !== winner)
    .map(([answer]) => answer);
  return {
    answer: winner,
    votes: Object.fromEntries(counts),
    agreement: validVotes === 0 ? null : topVotes / validVotes,
    validVotes,
    tiedWith,
  };
}
