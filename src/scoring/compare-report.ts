/**
 * The `compare --json` document: per-strategy summaries, each (but the baseline) with a paired
 * comparison against the baseline strategy over the records both scored.
 */
import { UsageError } from '../errors.js';
import { mcnemarExactPValue } from './statistics.js';
import type { StrategySummary } from './summary.js';

export const compareSchemaId = 'promptlab.compare/v1';

/** Significance level used when the caller does not choose one. */
export const defaultAlpha = 0.05;

export interface CompareReport {
  schema: typeof compareSchemaId;
  baselineStrategy: string;
  /** The significance level behind every `vsBaseline.significant` (extra field; renderers cite it). */
  alpha: number;
  strategies: StrategySummary[];
}

export interface PairedComparison {
  /** other right, baseline wrong */
  better: number;
  /** other wrong, baseline right */
  worse: number;
  /** Records scored by both. */
  pairs: number;
  /** Accuracy of other minus accuracy of baseline, over the pairs; 0 when there are none. */
  delta: number;
  pValue: number;
}

/**
 * Pair records by id. Only records present and scored (non-null) in both count: comparing accuracy over
 * different subsets would mix a difference in strategies with a difference in questions.
 */
export function pairedComparison(
  baseline: ReadonlyMap<string, boolean | null>,
  other: ReadonlyMap<string, boolean | null>,
): PairedComparison {
  let better = 0;
  let worse = 0;
  let pairs = 0;
  for (const [id, otherCorrect] of other) {
    const baselineCorrect = baseline.get(id);
    if (otherCorrect === null || baselineCorrect === null || baselineCorrect === undefined) continue;
    pairs += 1;
    if (otherCorrect && !baselineCorrect) better += 1;
    else if (!otherCorrect && baselineCorrect) worse += 1;
  }
  // Concordant pairs cancel, so the accuracy difference is the discordant difference over all pairs.
  const delta = pairs > 0 ? (better - worse) / pairs : 0;
  return { better, worse, pairs, delta, pValue: mcnemarExactPValue(better, worse) };
}

/**
 * Fill `vsBaseline` for every strategy but the baseline. `correctness` maps strategy → (id → correct),
 * as SummaryAccumulator.correctness() returns it. The summaries passed in are not modified.
 */
export function buildCompareReport(
  summaries: readonly StrategySummary[],
  correctness: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
  baselineStrategy: string,
  alpha: number = defaultAlpha,
): CompareReport {
  if (!summaries.some((summary) => summary.strategy === baselineStrategy)) {
    const names = summaries.map((summary) => summary.strategy).join(', ');
    throw new UsageError(`--baseline-strategy ${baselineStrategy}: not one of the strategies compared (${names})`);
  }
  const empty = new Map<string, boolean | null>();
  const baselineCorrectness = correctness.get(baselineStrategy) ?? empty;
  const strategies = summaries.map((summary): StrategySummary => {
    const { vsBaseline: _previous, ...withoutComparison } = summary;
    if (summary.strategy === baselineStrategy) return withoutComparison;
    const paired = pairedComparison(baselineCorrectness, correctness.get(summary.strategy) ?? empty);
    return {
      ...withoutComparison,
      vsBaseline: {
        strategy: baselineStrategy,
        delta: paired.delta,
        pValue: paired.pValue,
        better: paired.better,
        worse: paired.worse,
        significant: paired.pValue < alpha,
      },
    };
  });
  return { schema: compareSchemaId, baselineStrategy, alpha, strategies };
}
