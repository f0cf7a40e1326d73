/**
 * The `compare --json` document: one summary per cell (model × strategy × variant), each but the
 * baseline cell's with a paired comparison against the baseline cell over the records both scored.
 */
import { cellId, cellNamer, sameCell, type Cell } from '../core/cells.js';
import { UsageError } from '../errors.js';
import { mcnemarExactPValue } from './statistics.js';
import type { CellSummary } from './summary.js';

export const compareSchemaId = 'promptlab.compare/v1';

/** Significance level used when the caller does not choose one. */
export const defaultAlpha = 0.05;

export interface CompareReport {
  schema: typeof compareSchemaId;
  /** The baseline cell: its strategy, model and variant. */
  baselineStrategy: string;
  baselineModel: string;
  baselineVariant: string | null;
  /** The significance level behind every `vsBaseline.significant` (extra field; renderers cite it). */
  alpha: number;
  /** One per cell, in the run's order (the name is compare/v1's). */
  strategies: CellSummary[];
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
 * Fill `vsBaseline` for every cell but the baseline. `correctness` maps cellId → (id → correct), as
 * SummaryAccumulator.correctness() returns it. The summaries passed in are not modified.
 */
export function buildCompareReport(
  summaries: readonly CellSummary[],
  correctness: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
  baseline: Cell,
  alpha: number = defaultAlpha,
): CompareReport {
  if (!summaries.some((summary) => sameCell(summary, baseline))) {
    const nameOf = cellNamer(summaries);
    const names = summaries.map(nameOf).join(', ');
    throw new UsageError(`the baseline ${nameOf(baseline)} is not one of the cells compared (${names})`);
  }
  const empty = new Map<string, boolean | null>();
  const baselineCorrectness = correctness.get(cellId(baseline)) ?? empty;
  const strategies = summaries.map((summary): CellSummary => {
    const { vsBaseline: _previous, ...withoutComparison } = summary;
    if (sameCell(summary, baseline)) return withoutComparison;
    const paired = pairedComparison(baselineCorrectness, correctness.get(cellId(summary)) ?? empty);
    return {
      ...withoutComparison,
      vsBaseline: {
        strategy: baseline.strategy,
        model: baseline.model,
        variant: baseline.variant,
        delta: paired.delta,
        pValue: paired.pValue,
        better: paired.better,
        worse: paired.worse,
        significant: paired.pValue < alpha,
      },
    };
  });
  return {
    schema: compareSchemaId,
    baselineStrategy: baseline.strategy,
    baselineModel: baseline.model,
    baselineVariant: baseline.variant,
    alpha,
    strategies,
  };
}
