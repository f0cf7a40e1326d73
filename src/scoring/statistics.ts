/**
 * Pure statistics for comparing prompting strategies: confidence intervals for an accuracy, exact tests for
 * "did this strategy really do better", and percentiles for latency. No dependencies, no I/O.
 */

/** The 97.5th percentile of the standard normal: a two-sided 95% interval. */
export const z95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion. Chosen over the textbook normal ("Wald") interval
 * because evaluation sets are often small and accuracies near 0 or 1, where Wald collapses to a point
 * or leaves [0, 1]; Wilson stays inside [0, 1] and keeps close to its nominal coverage.
 * With no trials nothing is known, so the interval is the whole of [0, 1].
 */
export function wilsonInterval(correct: number, n: number, z: number = z95): [number, number] {
  if (n <= 0) return [0, 1];
  const proportion = correct / n;
  const zSquaredOverN = (z * z) / n;
  const denominator = 1 + zSquaredOverN;
  const centre = (proportion + zSquaredOverN / 2) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((proportion * (1 - proportion)) / n + zSquaredOverN / (4 * n));
  // Clamp: at 0/n and n/n rounding can put the bound a hair outside [0, 1].
  return [Math.max(0, centre - halfWidth), Math.min(1, centre + halfWidth)];
}

/**
 * Two-sided exact McNemar test: of the records where two strategies disagree, `better` went one way and
 * `worse` the other; under "no difference" each discordant pair is a fair coin, so the p-value is
 * min(1, 2·P(X ≤ min(better, worse))) with X ~ Binomial(better + worse, ½). No discordant pairs → 1.
 *
 * The tail is summed relative to its largest term, P(X = k), using the ratio
 * P(X = i−1) / P(X = i) = i / (m − i + 1), so nothing underflows or loses precision until the true value
 * does; log P(X = k) is a plain sum of logs. Exact (to double precision) for m in the hundreds of thousands.
 */
export function mcnemarExactPValue(better: number, worse: number): number {
  const discordant = better + worse;
  if (discordant <= 0) return 1;
  const smaller = Math.min(better, worse);
  // When the counts are equal (or nearly so) the doubled tail passes 1; skip the work.
  if (2 * smaller >= discordant) return 1;
  const tail =
    discordant <= directSumLimit
      ? lowerBinomialTailHalfDirect(smaller, discordant)
      : Math.exp(logLowerBinomialTailHalf(smaller, discordant));
  return Math.min(1, 2 * tail);
}

/** Up to here C(m, i) and 2^m are finite doubles, so the tail can be summed as counts. */
const directSumLimit = 1000;

/**
 * P(X ≤ k) as Σ C(m, i) / 2^m. For small m the binomial coefficients are exact integers, so textbook
 * cases come out exact (b=1, c=2 gives exactly 1, not 0.9999999999999997); dividing by 2^m is exact.
 */
function lowerBinomialTailHalfDirect(k: number, m: number): number {
  let choose = 1;
  let sum = 1;
  for (let i = 1; i <= k; i++) {
    choose = (choose * (m - i + 1)) / i;
    sum += choose;
  }
  return sum / 2 ** m;
}

// ln 2 split as in fdlibm's log(): ln2High + ln2Low = ln 2 to about 1e-27.
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants, digit for digit; the double nearest is what runs.
const ln2High = 6.9314718036912381649e-1;
// biome-ignore lint/correctness/noPrecisionLoss: as above.
const ln2Low = 1.90821492927058770002e-10;

/** log P(X ≤ k) for X ~ Binomial(m, ½), with k ≤ m/2 (so the terms rise towards i = k). */
function logLowerBinomialTailHalf(k: number, m: number): number {
  // log C(m, k) = Σ_{i=1..k} log((m − k + i) / i). The sum reaches ~m·ln 2 over tens of thousands of
  // terms, so plain addition would lose ~1e-9 to rounding; Neumaier's compensated sum keeps ~1e-14.
  let logChooseMK = 0;
  let compensation = 0;
  for (let i = 1; i <= k; i++) {
    const term = Math.log((m - k + i) / i);
    const next = logChooseMK + term;
    compensation += Math.abs(logChooseMK) >= Math.abs(term) ? logChooseMK - next + term : term - next + logChooseMK;
    logChooseMK = next;
  }
  // Subtract m·ln 2 in two parts: m·ln2High is exact (ln2High ends in 21 zero bits) and cancels
  // logChooseMK exactly, so the result keeps the precision of the small difference.
  const logTermK = logChooseMK - m * ln2High + compensation - m * ln2Low;

  // Σ_{i=0..k} P(X = i) / P(X = k): each step down multiplies by i / (m − i + 1) < 1.
  let ratio = 1;
  let relativeSum = 1;
  for (let i = k; i > 0; i--) {
    ratio *= i / (m - i + 1);
    relativeSum += ratio;
    if (ratio < relativeSum * Number.EPSILON) break; // the rest cannot change the sum
  }
  return logTermK + Math.log(relativeSum);
}

/**
 * Two-sided Fisher's exact test for a 2×2 table: successesA of trialsA against successesB of trialsB.
 * The p-value sums the probabilities of every table with the same margins that is no more likely than
 * the observed one (the convention of R's fisher.test, with the same 1e-7 relative tolerance for ties).
 *
 * Hypergeometric probabilities are computed relative to the mode by the ratio recurrence
 * P(x+1)/P(x) = (nA − x)(K − x) / ((x + 1)(nB − K + x + 1)), so no factorials and no overflow.
 */
export function fisherExactPValue(successesA: number, trialsA: number, successesB: number, trialsB: number): number {
  const totalSuccesses = successesA + successesB;
  const low = Math.max(0, totalSuccesses - trialsB);
  const high = Math.min(trialsA, totalSuccesses);
  if (high <= low) return 1;

  const size = high - low + 1;
  const relative = new Float64Array(size);
  const ratioUp = (x: number): number =>
    ((trialsA - x) * (totalSuccesses - x)) / ((x + 1) * (trialsB - totalSuccesses + x + 1));

  // The mode of the hypergeometric distribution; walk out from it in both directions.
  const mode = Math.min(
    high,
    Math.max(low, Math.floor(((trialsA + 1) * (totalSuccesses + 1)) / (trialsA + trialsB + 2))),
  );
  relative[mode - low] = 1;
  for (let x = mode; x < high; x++) relative[x + 1 - low] = relative[x - low]! * ratioUp(x);
  for (let x = mode; x > low; x--) relative[x - 1 - low] = relative[x - low]! / ratioUp(x - 1);

  const observed = relative[successesA - low]! * (1 + 1e-7);
  let total = 0;
  let asExtreme = 0;
  for (const value of relative) {
    total += value;
    if (value <= observed) asExtreme += value;
  }
  return Math.min(1, asExtreme / total);
}

/**
 * Percentile of values already sorted ascending, p in 0..100, by linear interpolation between the two
 * nearest ranks (numpy's default, "linear"). Empty input → 0, so a summary of nothing still prints.
 */
export function percentile(sortedValues: ArrayLike<number>, p: number): number {
  const count = sortedValues.length;
  if (count === 0) return 0;
  const clamped = Math.min(100, Math.max(0, p));
  const rank = (clamped / 100) * (count - 1);
  const below = Math.floor(rank);
  const above = Math.min(count - 1, below + 1);
  const lower = sortedValues[below]!;
  const upper = sortedValues[above]!;
  return lower + (upper - lower) * (rank - below);
}
