/**
 * What the terminal table and the Markdown table both say about a cell: the same columns, the same
 * words, so a CI summary and a local run read alike. Plain strings; each renderer styles its own.
 *
 * A row is a cell: its identity columns come first — `model` when the run had several models,
 * `strategy`, then `variant` when any cell is a variant — and the counts follow. The identity columns
 * never give way: they say which cell a row is.
 *
 * Each column also says how it gives way on a narrow terminal (text-table.ts's FittedColumn): "vs
 * baseline" first turns compact (`+4.0 pt p=.03*`), then columns go, least telling first. A column
 * added here takes its own step numbers; the others keep theirs.
 */
import { cellNamer } from '../core/cells.js';
import type { BaselineDifference, CellSummary, StrategySummary } from '../scoring/summary.js';
import type { FittedColumn } from './text-table.js';
import {
  formatAccuracy,
  formatCount,
  formatDeltaPoints,
  formatMean,
  formatMilliseconds,
  formatPClause,
} from './format.js';

export type SummaryColumnKey =
  | 'model'
  | 'strategy'
  | 'variant'
  | 'n'
  | 'correct'
  | 'accuracy'
  | 'errors'
  | 'requests'
  | 'tokens'
  | 'p50'
  | 'p95'
  | 'samples'
  | 'vsBaseline';

export interface SummaryColumn extends FittedColumn {
  key: SummaryColumnKey;
  cell(summary: CellSummary): string;
  /** The cell of a compacted column (FittedColumn.compact). */
  compactCell?(summary: CellSummary): string;
}

/** The identity columns a report needs: `model` with several models, `variant` when any cell is one. */
function identityColumnsOf(summaries: readonly CellSummary[]): { model: boolean; variant: boolean } {
  return {
    model: new Set(summaries.map((summary) => summary.model)).size > 1,
    variant: summaries.some((summary) => summary.variant !== null),
  };
}

/** The columns of a compare table of these cells: the identity columns they need, then the counts. */
export function summaryColumns(summaries: readonly CellSummary[]): SummaryColumn[] {
  const identity = identityColumnsOf(summaries);
  return [
    ...(identity.model ? [modelColumn] : []),
    strategyColumn,
    ...(identity.variant ? [variantColumn] : []),
    ...countColumns,
  ];
}

const modelColumn: SummaryColumn = { key: 'model', header: 'model', align: 'left', cell: (summary) => summary.model };
const strategyColumn: SummaryColumn = {
  key: 'strategy',
  header: 'strategy',
  align: 'left',
  cell: (summary) => summary.strategy,
};
const variantColumn: SummaryColumn = {
  key: 'variant',
  header: 'variant',
  align: 'left',
  cell: (summary) => summary.variant ?? '',
};

const countColumns: readonly SummaryColumn[] = [
  { key: 'n', header: 'n', align: 'right', dropAt: 90, cell: (summary) => formatCount(summary.n) },
  { key: 'correct', header: 'correct', align: 'right', dropAt: 40, cell: (summary) => formatCount(summary.correct) },
  {
    key: 'accuracy',
    header: 'accuracy [95% CI]',
    align: 'right',
    cell: (summary) => formatAccuracy(summary.accuracy, summary.ci95),
  },
  { key: 'errors', header: 'errors', align: 'right', dropAt: 80, cell: (summary) => formatCount(summary.errors) },
  {
    key: 'requests',
    header: 'requests',
    align: 'right',
    dropAt: 30,
    cell: (summary) => formatCount(summary.requests),
  },
  {
    key: 'tokens',
    header: 'tokens',
    align: 'right',
    dropAt: 70,
    cell: (summary) => `${summary.usageEstimated === undefined ? '' : '≈'}${formatCount(summary.usage.totalTokens)}`,
  },
  {
    key: 'p50',
    header: 'p50 ms',
    align: 'right',
    dropAt: 50,
    cell: (summary) => formatMilliseconds(summary.latencyMs.p50),
  },
  {
    key: 'p95',
    header: 'p95 ms',
    align: 'right',
    dropAt: 20,
    cell: (summary) => formatMilliseconds(summary.latencyMs.p95),
  },
  {
    key: 'samples',
    header: 'samples/rec',
    align: 'right',
    dropAt: 60,
    cell: (summary) => formatMean(summary.samplesUsed),
  },
  {
    key: 'vsBaseline',
    header: 'vs baseline',
    align: 'left',
    compact: { at: 10 },
    cell: (summary) =>
      summary.vsBaseline === undefined ? '(baseline)' : describeBaselineDifference(summary.vsBaseline),
    compactCell: (summary) =>
      summary.vsBaseline === undefined ? 'baseline' : shortBaselineDifference(summary.vsBaseline),
  },
];

/** "+6.7 pts (4 better, 2 worse), p = 0.69, not significant" */
function describeBaselineDifference(difference: BaselineDifference): string {
  const verdict = difference.significant ? 'significant' : 'not significant';
  return (
    `${formatDeltaPoints(difference.delta)} (${difference.better} better, ${difference.worse} worse), ` +
    `${formatPClause(difference.pValue)}, ${verdict}`
  );
}

/** "+4.0 pt p=.03", and a star when significant: "-12.5 pt p<.001*". */
export function shortBaselineDifference(difference: BaselineDifference): string {
  const points = formatDeltaPoints(difference.delta).replace(/ pts$/, ' pt');
  const p = difference.pValue;
  const pText =
    p < 0.001
      ? 'p<.001'
      : `p=${Number(p.toFixed(p < 0.01 ? 3 : 2))
          .toString()
          .replace(/^0\./, '.')}`;
  return `${points} ${pText}${difference.significant ? '*' : ''}`;
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
  if (summary.usageEstimated !== undefined) {
    notes.push(
      `tokens are estimated for ${plural(summary.usageEstimated, 'record', 'records')}: the endpoint reported usage for one choice of several`,
    );
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

/** Said under a table whose "vs baseline" column is compact: what the star means. */
export function explainStar(alpha: number): string {
  return `* significant at α = ${alpha}.`;
}
