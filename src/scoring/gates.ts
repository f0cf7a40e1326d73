/**
 * CI gates over finished summaries: --fail-under, and --baseline FILE (read by baseline-report.ts);
 * --max-errors is max-errors.ts. Each check returns the gates that failed, one line each; executeRun
 * (src/run/execute-run.ts) turns a non-empty list into a GateError (exit 4).
 */
import { UsageError } from '../errors.js';
import type { BaselineReport } from './baseline-report.js';
import { pairedComparison } from './compare-report.js';
import { fisherExactPValue } from './statistics.js';
import type { GateOutcome } from './gate-outcome.js';
import type { StrategySummary } from './summary.js';

const accuracyText = (value: number): string => value.toFixed(3);

/** Keep the user's precision (0.8 → "0.80", 0.825 → "0.825") so the message echoes the flag. */
function thresholdText(threshold: number): string {
  const decimals = String(threshold).split('.')[1]?.length ?? 0;
  return threshold.toFixed(Math.min(20, Math.max(2, decimals)));
}

function selectStrategies(summaries: readonly StrategySummary[], names: readonly string[] | undefined, flag: string) {
  if (names === undefined) return summaries;
  return names.map((name) => {
    const summary = summaries.find((candidate) => candidate.strategy === name);
    if (summary === undefined) throw new UsageError(`${flag}: no strategy named ${name} in this run`);
    return summary;
  });
}

/**
 * Fail every strategy whose accuracy is below the threshold (equal passes). A strategy with nothing
 * scored fails too: a gate that cannot be evaluated must not pass silently in CI.
 */
export function checkFailUnder(
  summaries: readonly StrategySummary[],
  threshold: number,
  strategies?: readonly string[],
): GateOutcome[] {
  const flag = `--fail-under ${thresholdText(threshold)}`;
  const outcomes: GateOutcome[] = [];
  for (const summary of selectStrategies(summaries, strategies, '--fail-under')) {
    if (summary.accuracy === null) {
      const message = `${flag}: ${summary.strategy} has no records with an expected answer to score`;
      outcomes.push({ gate: 'fail-under', strategy: summary.strategy, message });
    } else if (summary.accuracy < threshold) {
      const gap = accuracyText(threshold - summary.accuracy);
      const message = `${flag}: ${summary.strategy} accuracy ${accuracyText(summary.accuracy)} is ${gap} below`;
      outcomes.push({ gate: 'fail-under', strategy: summary.strategy, message });
    }
  }
  return outcomes;
}

type BaselineStrategy = BaselineReport['strategies'][number];

/** Old reports may lack `scored`; recover it from correct / accuracy, falling back to n. */
function previousScored(previous: BaselineStrategy): number {
  if (previous.scored !== undefined) return previous.scored;
  if (previous.accuracy !== null && previous.accuracy > 0) return Math.round(previous.correct / previous.accuracy);
  return previous.n;
}

type BaselineCheck =
  | { strategy: string; skipped: string }
  | { strategy: string; skipped?: undefined; regressed: boolean; message: string };

function previousCorrectness(baseline: BaselineReport, strategy: string): Map<string, boolean | null> | undefined {
  const rows = baseline.results?.filter((row) => row.strategy === strategy) ?? [];
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
  summary: StrategySummary,
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness: ReadonlyMap<string, boolean | null> | undefined,
): BaselineCheck {
  const { strategy } = summary;
  const previous = baseline.strategies.find((candidate) => candidate.strategy === strategy);
  if (previous === undefined) return { strategy, skipped: `${strategy} is not in the baseline report` };
  if (previous.accuracy === null) return { strategy, skipped: `${strategy} scored nothing in the baseline report` };
  if (summary.accuracy === null) return { strategy, skipped: `${strategy} scored nothing in this run` };

  const previousById = previousCorrectness(baseline, strategy);
  if (previousById !== undefined && currentCorrectness !== undefined) {
    const paired = pairedComparison(previousById, currentCorrectness);
    if (paired.pairs === 0)
      return { strategy, skipped: `${strategy} shares no scored records with the baseline report` };
    const regressed = paired.delta < 0 && paired.pValue < alpha;
    const message =
      `--baseline: ${strategy} accuracy is ${accuracyText(-paired.delta)} below the baseline report on ` +
      `${paired.pairs} shared records (${paired.better} better, ${paired.worse} worse; ` +
      `p = ${paired.pValue.toPrecision(2)}, exact McNemar test)`;
    return { strategy, regressed, message };
  }

  const pValue = fisherExactPValue(summary.correct, summary.scored, previous.correct, previousScored(previous));
  const regressed = summary.accuracy < previous.accuracy && pValue < alpha;
  const message =
    `--baseline: ${strategy} accuracy ${accuracyText(summary.accuracy)} is ` +
    `${accuracyText(previous.accuracy - summary.accuracy)} below the baseline report's ` +
    `${accuracyText(previous.accuracy)} (p = ${pValue.toPrecision(2)}, Fisher's exact test)`;
  return { strategy, regressed, message };
}

function checkEach(
  summaries: readonly StrategySummary[],
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): BaselineCheck[] {
  return summaries.map((summary) => checkOne(summary, baseline, alpha, currentCorrectness?.get(summary.strategy)));
}

/**
 * Fail each strategy that is significantly (p < alpha) less accurate than in the baseline report.
 * Pass `currentCorrectness` (strategy → id → correct) to get the paired test when the baseline report
 * carries `results`. Strategies the baseline lacks are skipped, never failed: see baselineNotes.
 */
export function checkAgainstBaseline(
  summaries: readonly StrategySummary[],
  baseline: BaselineReport,
  alpha: number,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): GateOutcome[] {
  return checkEach(summaries, baseline, alpha, currentCorrectness).flatMap((check) =>
    check.skipped === undefined && check.regressed
      ? [{ gate: 'baseline' as const, strategy: check.strategy, message: check.message }]
      : [],
  );
}

/** One line per strategy the --baseline gate could not check, for the CLI to print as a note. */
export function baselineNotes(
  summaries: readonly StrategySummary[],
  baseline: BaselineReport,
  currentCorrectness?: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>,
): string[] {
  return checkEach(summaries, baseline, 0, currentCorrectness).flatMap((check) =>
    check.skipped !== undefined ? [`--baseline: skipped ${check.skipped}`] : [],
  );
}
