/**
 * What the terminal table and the Markdown table both say about a cell: the same columns, the same
 * words, so a CI summary and a local run read alike. Plain strings; each renderer styles its own.
 *
 * A row is a cell: its identity columns come first — `model` when the run had several models,
 * `strategy`, then `variant` when any cell is a variant — and the counts follow.
 */
import { cellNamer } from '../core/cells.js';
import type { BaselineDifference, CellSummary, StrategySummary } from '../scoring/summary.js';
import type { Alignment } from './text-table.js';
import {
  formatAccuracy,
  formatCount,
  formatDeltaPoints,
  formatMean,
  formatMilliseconds,
  formatPClause,
} from './format.js';

/** The identity columns a report needs: `model` with several models, `variant` when any cell is one. */
export interface IdentityColumns {
  model: boolean;
  variant: boolean;
}

export function identityColumnsOf(summaries: readonly CellSummary[]): IdentityColumns {
  return {
    model: new Set(summaries.map((summary) => summary.model)).size > 1,
    variant: summaries.some((summary) => summary.variant !== null),
  };
}

/**
 * The columns of a compare table. The identity columns say which cell a row is and are `essential`: a
 * table fitted to a narrow terminal drops or abbreviates the others first.
 */
export function summaryColumns(identity: IdentityColumns): SummaryColumn[] {
  return [
    ...(identity.model ? [{ header: 'model', align: 'left' as const, essential: true }] : []),
    { header: 'strategy', align: 'left', essential: true },
    ...(identity.variant ? [{ header: 'variant', align: 'left' as const, essential: true }] : []),
    ...countColumns,
  ];
}

export interface SummaryColumn {
  header: string;
  align: Alignment;
  /** Which cell the row is: never dropped to fit a width. */
  essential?: boolean;
}

/** The model, strategy and variant cells of a row, as `identity` asks (a cell with no variant shows none). */
export function identityCells(summary: CellSummary, identity: IdentityColumns): string[] {
  return [
    ...(identity.model ? [summary.model] : []),
    summary.strategy,
    ...(identity.variant ? [summary.variant ?? ''] : []),
  ];
}

const countColumns: readonly { header: string; align: Alignment }[] = [
  { header: 'n', align: 'right' },
  { header: 'correct', align: 'right' },
  { header: 'accuracy [95% CI]', align: 'right' },
  { header: 'errors', align: 'right' },
  { header: 'requests', align: 'right' },
  { header: 'tokens', align: 'right' },
  { header: 'p50 ms', align: 'right' },
  { header: 'p95 ms', align: 'right' },
  { header: 'samples/rec', align: 'right' },
  { header: 'vs baseline', align: 'left' },
];

/** The count columns of a row, from n to samples/rec ("vs baseline" needs to know the baseline). */
export function countCells(summary: StrategySummary): string[] {
  return [
    formatCount(summary.n),
    formatCount(summary.correct),
    formatAccuracy(summary.accuracy, summary.ci95),
    formatCount(summary.errors),
    formatCount(summary.requests),
    formatCount(summary.usage.totalTokens),
    formatMilliseconds(summary.latencyMs.p50),
    formatMilliseconds(summary.latencyMs.p95),
    formatMean(summary.samplesUsed),
  ];
}

/** "+6.7 pts (4 better, 2 worse), p = 0.69, not significant" */
export function describeBaselineDifference(difference: BaselineDifference): string {
  const verdict = difference.significant ? 'significant' : 'not significant';
  return (
    `${formatDeltaPoints(difference.delta)} (${difference.better} better, ${difference.worse} worse), ` +
    `${formatPClause(difference.pValue)}, ${verdict}`
  );
}

/**
 * Things a reader should know that the columns hide: unscored records, failed extractions, truncation.
 * `name` is how the table names the cell (cellNamer); a lone summary goes by its strategy.
 */
export function summaryNotes(summary: StrategySummary, name: string = summary.strategy): string[] {
  const notes: string[] = [];
  const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  const unscored = summary.n - summary.scored;
  if (unscored > 0) notes.push(`${plural(unscored, 'record has', 'records have')} no expected answer (not scored)`);
  if (summary.extractionFailures > 0) {
    notes.push(`${plural(summary.extractionFailures, 'answer', 'answers')} could not be extracted`);
  }
  if (summary.truncated > 0) {
    notes.push(`${plural(summary.truncated, 'record', 'records')} hit the token limit (finishReason "length")`);
  }
  return notes.map((note) => `${name}: ${note}`);
}

/** The one line that says which tests produced the numbers; `rows` are strategies, or cells of a matrix. */
export function explainTests(baseline: string, alpha: number, rows: 'strategy' | 'row' = 'strategy'): string {
  return (
    `Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each ${rows} with ` +
    `${baseline} on the records both scored, with a two-sided exact McNemar test (α = ${alpha}).`
  );
}

/** How a report's tables name its baseline, and what they call a row. */
export function baselineWording(report: {
  baselineStrategy: string;
  baselineModel: string;
  baselineVariant: string | null;
  strategies: readonly CellSummary[];
}): { baseline: string; rows: 'strategy' | 'row' } {
  const identity = identityColumnsOf(report.strategies);
  const baseline = { model: report.baselineModel, strategy: report.baselineStrategy, variant: report.baselineVariant };
  return {
    baseline: cellNamer(report.strategies)(baseline),
    rows: identity.model || identity.variant ? 'row' : 'strategy',
  };
}
