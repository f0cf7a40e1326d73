/**
 * CI gates over finished summaries: --fail-under, and --baseline FILE (read by baseline-report.ts);
 * --max-errors is max-errors.ts. Each check returns the gates that failed, one line each; executeRun
 * (src/run/execute-run.ts) turns a non-empty list into a GateError (exit 4).
 */
import { cellId, cellNamer, type Cell } from '../core/cells.js';
import { UsageError } from '../errors.js';
import type { BaselineReport } from './baseline-report.js';
import { pairedComparison } from './compare-report.js';
import { selects, type CellSelector } from './fail-under.js';
import { fisherExactPValue } from './statistics.js';
import type { GateOutcome } from './gate-outcome.js';
import type { CellSummary } from './summary.js';

const accuracyText = (value: number): string => value.toFixed(3);

/** Keep the user's precision (0.8 → "0.80", 0.825 → "0.825") so the message echoes the flag. */
function thresholdText(threshold: number): string {
  const decimals = String(threshold).split('.')[1]?.length ?? 0;
  return threshold.toFixed(Math.min(20, Math.max(2, decimals)));
}

/**
 * Fail every cell whose accuracy is below the threshold (equal passes); with a selector, only the cells
 * it names (a strategy or variant, within one model or all). A cell with nothing scored fails too: a gate
 * that cannot be evaluated must not pass silently in CI.
 */
export function checkFailUnder(
  summaries: readonly CellSummary[],
  threshold: number,
  selector?: CellSelector | null,
): GateOutcome[] {
  const flag = `--fail-under ${thresholdText(threshold)}`;
  const nameOf = cellNamer(summaries);
  const chosen = selector == null ? summaries : summaries.filter((summary) => selects(selector, summary));
  if (selector != null && chosen.length === 0)
    throw new UsageError(`--fail-under: no cell named ${selectorText(selector)} in this run`);
  const outcomes: GateOutcome[] = [];
  for (const summary of chosen) {
    const cell = nameOf(summary);
    if (summary.accuracy === null) {
      const message = `${flag}: ${cell} has no records with an expected answer to score`;
      outcomes.push({ gate: 'fail-under', cell, message });
    } else if (summary.accuracy < threshold) {
      const gap = accuracyText(threshold - summary.accuracy);
      const message = `${flag}: ${cell} accuracy ${accuracyText(summary.accuracy)} is ${gap} below`;
      outcomes.push({ gate: 'fail-under', cell, message });
    }
  }
  return outcomes;
}

const selectorText = (selector: CellSelector): string =>
  selector.model === null ? selector.name : `${selector.model}/${selector.name}`;

type BaselineStrategy = BaselineReport['strategies'][number];

/** Old reports may lack `scored`; recover it from correct / accuracy, falling back to n. */
function previousScored(previous: BaselineStrategy): number {
  if (previous.scored !== undefined) return previous.scored;
  if (previous.accuracy !== null && previous.accuracy > 0) return Math.round(previous.correct / previous.accuracy);
  return previous.n;
}

type BaselineCheck =
  | { cell: string; skipped: string }
  | { cell: string; skipped?: undefined; regressed: boolean; message: string };

/**
 * A saved entry or result is the same cell when strategy and variant agree and, where it names its model,
 * the model does: a report written before models and variants were recorded matches every model's cell
 * of its strategy.
 */
function matchesCell(saved: { strategy: string; model?: string | null; variant?: string | null }, cell: Cell): boolean {
  return (
    saved.strategy === cell.strategy &&
    (saved.variant ?? null) === cell.variant &&
    (saved.model == null || saved.model === cell.model)
  );
}

function previousCorrectness(baseline: BaselineReport, cell: Cell): Map<string, boolean | null> | undefined {
  const rows = baseline.results?.filter((row) => matchesCell(row, cell)) ?? [];
  return rows.length > 0 ? new Map(rows.map((row) => [row.id, row.correct])) : undefined;
}

/**
 * With per-record results on both sides, the exact McNemar test on the shared records (paired, so it
 * sees the small differences that matter). Otherwise the reports only hold counts, and we use the
 * two-sided Fisher exact test on the two 2×2 proportions: exact at the small sizes prompt evaluations
 * often have (where a pooled z-test's normal approximation overstates significance), and conservative,
 * which suits a gate that fails builds.
 */
function checkOne(
  summary: CellSummary,
  cell: string,
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness: ReadonlyMap<string, boolean | null> | undefined,
): BaselineCheck {
  const previous = baseline.strategies.find((candidate) => matchesCell(candidate, summary));
  if (previous === undefined) return { cell, skipped: `${cell} is not in the baseline report` };
  if (previous.accuracy === null) return { cell, skipped: `${cell} scored nothing in the baseline report` };
  if (summary.accuracy === null) return { cell, skipped: `${cell} scored nothing in this run` };

  const previousById = previousCorrectness(baseline, summary);
  if (previousById !== undefined && currentCorrectness !== undefined) {
    const paired = pairedComparison(previousById, currentCorrectness);
    if (paired.pairs === 0) return { cell, skipped: `${cell} shares no scored records with the baseline report` };
    const regressed = paired.delta < 0 && paired.pValue < alpha;
    const message =
      `--baseline: ${cell} accuracy is ${accuracyText(-paired.delta)} below the baseline report on ` +
      `${paired.pairs} shared records (${paired.better} better, ${paired.worse} worse; ` +
      `p = ${paired.pValue.toPrecision(2)}, exact McNemar test)`;
    return { cell, regressed, message };
  }

  const pValue = fisherExactPValue(summary.correct, summary.scored, previous.correct, previousScored(previous));
  const regressed = summary.accuracy < previous.accuracy && pValue < alpha;
  const message =
    `--baseline: ${cell} accuracy ${accuracyText(summary.accuracy)} is ` +
    `${accuracyText(previous.accuracy - summary.accuracy)} below the baseline report's ` +
    `${accuracyText(previous.accuracy)} (p = ${pValue.toPrecision(2)}, Fisher's exact test)`;
  return { cell, regressed, message };
}

function checkEach(
  summaries: readonly CellSummary[],
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): BaselineCheck[] {
  const nameOf = cellNamer(summaries);
  return summaries.map((summary) =>
    checkOne(summary, nameOf(summary), baseline, alpha, currentCorrectness?.get(cellId(summary))),
  );
}

/**
 * Fail each cell that is significantly (p < alpha) less accurate than in the baseline report. Pass
 * `currentCorrectness` (cellId → id → correct) to get the paired test when the baseline report carries
 * `results`. Cells the baseline lacks are skipped, never failed: see baselineNotes.
 */
export function checkAgainstBaseline(
  summaries: readonly CellSummary[],
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): GateOutcome[] {
  return checkEach(summaries, baseline, alpha, currentCorrectness).flatMap((check) =>
    check.skipped === undefined && check.regressed
      ? [{ gate: 'baseline' as const, cell: check.cell, message: check.message }]
      : [],
  );
}

/** One line per cell the --baseline gate could not check, for the CLI to print as a note. */
export function baselineNotes(
  summaries: readonly CellSummary[],
  baseline: BaselineReport,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): string[] {
  return checkEach(summaries, baseline, 0, currentCorrectness).flatMap((check) =>
    check.skipped !== undefined ? [`--baseline: skipped ${check.skipped}`] : [],
  );
}
