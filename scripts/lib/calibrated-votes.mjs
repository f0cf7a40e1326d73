// Recorded self-consistency samples whose difficulty mix is fitted to published figures, for the
// early-stopping measurement in scripts/bench.mjs (issue 5).
//
// Calibration target — Wang et al. 2022, "Self-Consistency Improves Chain of Thought Reasoning in
// Language Models" (arXiv:2203.11171), PaLM-540B on GSM8K: chain-of-thought 56.5 %, self-consistency
// over 40 sampled paths 74.4 % (+17.9, as the abstract states). Caveat: their 56.5 % is greedy
// decoding; we take it as the mean per-sample accuracy, the only single-path figure they tabulate.
//
// Model. Question q's samples are right with probability p_q ~ Beta(α, β); a wrong sample falls on
// one of `distractors` wrong answers with the question's own weights w_q ~ Dirichlet(1, …, 1), so
// some questions have one strong wrong runner-up and some a flat spread. Two published numbers fix
// the two unknowns: E[p] = α / (α + β) = 0.565 and P(40-sample vote right) = 0.744. The vote
// accuracy is Σ_c BetaBinomial(c; 40, α, β) · win(c), where win(c) is the chance that c right
// samples out of 40 win the vote (a tie shared by t answers counts 1/t, the chance that the right
// answer was sampled first, which is how promptlab breaks ties); win(c) is averaged over the
// Dirichlet by seeded simulation, so the fit is deterministic. Two figures cannot also fix how
// thinly wrong answers spread: with 3 distractors the fit is Beta(1.95, 1.50), with 20 it is the
// U-shaped Beta(0.41, 0.32), so bench.mjs reports both. For scale, the early-stopping papers
// report: ESC (Li et al. 2024, arXiv:2401.10480) GSM8K −80.1 % samples; Adaptive-Consistency
// (Aggarwal et al. 2023, arXiv:2305.11860) up to 7.9× fewer, 3.3× on average.
import { seededRandom } from './latency-server.mjs';

/** The figures the calibrated set is fitted to. */
export const wangPalmGsm8k = Object.freeze({
  source: 'Wang et al. 2022 (arXiv:2203.11171), PaLM-540B, GSM8K',
  singleSampleAccuracy: 0.565,
  majorityAccuracy: 0.744,
  samples: 40,
});

/**
 * α and β of the per-question accuracy p ~ Beta(α, β) that give `singleSampleAccuracy` as E[p] and
 * `majorityAccuracy` as the expected `samples`-vote accuracy, with wrong samples spread over
 * `distractors` answers. Throws when no concentration reaches the target.
 */
export function fitDifficulty({ singleSampleAccuracy, majorityAccuracy, samples, distractors, seed = 1 }) {
  const winChances = voteWinChances(samples, distractors, seed);
  const at = (concentration) => {
    const alpha = singleSampleAccuracy * concentration;
    const beta = (1 - singleSampleAccuracy) * concentration;
    return { alpha, beta, majorityAccuracy: expectedMajorityAccuracy(alpha, beta, samples, winChances) };
  };
  // The vote accuracy grows with the concentration α + β: from E[p] (every question all right or all
  // wrong) towards the vote accuracy of a question with p = E[p]. Bisect on its logarithm.
  let low = Math.log(1e-3);
  let high = Math.log(1e4);
  if (at(Math.exp(low)).majorityAccuracy > majorityAccuracy || at(Math.exp(high)).majorityAccuracy < majorityAccuracy) {
    throw new Error(
      `no Beta(α, β) with mean ${singleSampleAccuracy} gives a ${samples}-vote accuracy of ${majorityAccuracy}`,
    );
  }
  for (let step = 0; step < 100; step++) {
    const middle = (low + high) / 2;
    if (at(Math.exp(middle)).majorityAccuracy < majorityAccuracy) low = middle;
    else high = middle;
  }
  return { ...at(Math.exp((low + high) / 2)), distractors, samples };
}

/**
 * win[c] for c = 0..samples: the chance that the right answer, drawn c times, wins a vote whose
 * other samples − c votes spread over `distractors` answers with Dirichlet(1, …, 1) weights.
 */
export function voteWinChances(samples, distractors, seed = 1, draws = 20_000) {
  const random = seededRandom(seed);
  const win = new Float64Array(samples + 1);
  const counts = new Int32Array(distractors);
  for (let right = 0; right <= samples; right++) {
    let credit = 0;
    for (let draw = 0; draw < draws; draw++) {
      const weights = dirichletWeights(distractors, random);
      counts.fill(0);
      for (let wrong = right; wrong < samples; wrong++) counts[pickIndex(weights, random())]++;
      let top = 0;
      let tied = 0;
      for (const count of counts) {
        if (count > top) [top, tied] = [count, 1];
        else if (count === top) tied++;
      }
      credit += right > top ? 1 : right === top && right > 0 ? 1 / (tied + 1) : 0;
    }
    win[right] = credit / draws;
  }
  return win;
}

/** Σ_c BetaBinomial(c; samples, α, β) · win[c]: the expected vote accuracy over questions. */
export function expectedMajorityAccuracy(alpha, beta, samples, winChances) {
  let total = 0;
  for (let right = 0; right <= samples; right++) {
    const logChoose = logGamma(samples + 1) - logGamma(right + 1) - logGamma(samples - right + 1);
    total +=
      Math.exp(logChoose + logBeta(right + alpha, samples - right + beta) - logBeta(alpha, beta)) * winChances[right];
  }
  return total;
}

/**
 * `questions` questions of the fitted model, each `{ rightChance, answers }` with answers 0 (right)
 * or 1..distractors, in sampled order. The questions' p are the Beta's quantiles at (i + ½) / n —
 * a stratified draw, so 1,000 questions reproduce the fitted mean without the ±1.5-point wobble of
 * independent draws; distractor weights and samples are seeded random.
 */
export function* calibratedQuestions({ questions, samples, alpha, beta, distractors, seed = 2022 }) {
  const random = seededRandom(seed);
  for (let index = 0; index < questions; index++) {
    const rightChance = betaQuantile((index + 0.5) / questions, alpha, beta);
    const weights = dirichletWeights(distractors, random);
    const answers = Array.from({ length: samples }, () =>
      random() < rightChance ? 0 : 1 + pickIndex(weights, random()),
    );
    yield { rightChance, answers };
  }
}

/**
 * The earlier, uncalibrated mix, kept as a harder reference: p uniform in [0.3, 0.95] and three
 * distractors with uniform random weights (draws as bench.mjs made them before the calibration).
 */
export function* uniformQuestions({ questions, samples, seed = 2024 }) {
  const random = seededRandom(seed);
  for (let index = 0; index < questions; index++) {
    const rightChance = 0.3 + random() * 0.65;
    const weights = [random(), random(), random()];
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const answers = Array.from({ length: samples }, () => {
      if (random() < rightChance) return 0;
      let pick = random() * total;
      for (const [index, weight] of weights.entries()) {
        pick -= weight;
        if (pick < 0) return 1 + index;
      }
      return 3;
    });
    yield { rightChance, answers };
  }
}

// ---------------------------------------------------------------------------------------------------
// Distributions.
// ---------------------------------------------------------------------------------------------------

/** Dirichlet(1, …, 1): normalised Exp(1) draws (one uniform each, so draws stay aligned across runs). */
function dirichletWeights(size, random) {
  const weights = Array.from({ length: size }, () => -Math.log(1 - random()));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

function pickIndex(weights, uniform) {
  let left = uniform;
  for (let index = 0; index < weights.length - 1; index++) {
    left -= weights[index];
    if (left < 0) return index;
  }
  return weights.length - 1;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
function logGamma(x) {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const shifted = x - 1;
  let sum = coefficients[0];
  for (let index = 1; index < 9; index++) sum += coefficients[index] / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a, b) {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** I_x(a, b), the Beta(a, b) CDF, by its continued fraction (Numerical Recipes §6.4). */
function regularizedBeta(x, a, b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - logBeta(a, b));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x, a, b) {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let result = d;
  for (let m = 1; m <= 500; m++) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      result *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return result;
}

/** The Beta(a, b) quantile, by bisection on the CDF (U-shaped densities included). */
export function betaQuantile(probability, a, b) {
  let low = 0;
  let high = 1;
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (regularizedBeta(middle, a, b) < probability) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
