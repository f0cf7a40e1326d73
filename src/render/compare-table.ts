/** The terminal views of `compare` (a table of cells) and `score` (one strategy's lines). */
import { cellNamer } from '../core/cells.js';
import type { CompareReport } from '../scoring/compare-report.js';
import type { StrategySummary } from '../scoring/summary.js';
import type { Colors } from './colors.js';
import { formatAccuracy, formatCount, formatMean, formatMilliseconds } from './format.js';
import {
  baselineWording,
  explainStar,
  explainTests,
  summaryColumns,
  summaryNotes,
  type SummaryColumnKey,
} from './summary-cells.js';
import { fitTextTable, type FittedCell } from './text-table.js';
import { wrapToWidth } from './text-width.js';

/** How the terminal styles a cell of each column; unstyled columns are not listed. */
function styleCell(key: SummaryColumnKey, text: string, summary: StrategySummary, colors: Colors): string {
  switch (key) {
    case 'model':
    case 'strategy':
    case 'variant':
      return colors.cyan(text);
    case 'errors':
      return summary.errors > 0 ? colors.red(text) : text;
    case 'vsBaseline': {
      const difference = summary.vsBaseline;
      if (difference === undefined) return colors.dim(text);
      if (!difference.significant) return text;
      return difference.delta < 0 ? colors.red(text) : colors.green(text);
    }
    default:
      return text;
  }
}

/**
 * The compare table, fitted to `width` columns when given (a terminal's width; null for no limit):
 * columns give way as summary-cells.ts orders them (the ones naming the cell never), and the notes under
 * the table wrap.
 */
export function renderCompareTable(report: CompareReport, colors: Colors, width: number | null = null): string {
  const columns = summaryColumns(report.strategies);
  const nameOf = cellNamer(report.strategies);
  const rows = report.strategies.map((summary) =>
    columns.map((column): FittedCell => {
      const full = styleCell(column.key, column.cell(summary), summary, colors);
      if (column.compactCell === undefined) return full;
      return { full, compact: styleCell(column.key, column.compactCell(summary), summary, colors) };
    }),
  );
  const table = fitTextTable(columns, rows, width, colors.bold);
  const starred = columns.some((column, index) => column.key === 'vsBaseline' && table.states[index] === 'compact');
  const wrap = (text: string): string[] => (width === null ? [text] : wrapToWidth(text, width));
  const notes = report.strategies
    .flatMap((summary) => summaryNotes(summary, nameOf(summary)))
    .flatMap(wrap)
    .map((note) => colors.yellow(note));
  const { baseline, rows: rowWord } = baselineWording(report);
  const explanation = `${explainTests(baseline, report.alpha, rowWord)}${starred ? ` ${explainStar(report.alpha)}` : ''}`;
  return [
    table.text,
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
    ...wrap(explanation).map((line) => colors.dim(line)),
  ].join('\n');
}

/** `score`: the same facts as one compare row, as labelled lines: the labels dim, the values plain. */
export function renderScoreSummary(summary: StrategySummary, colors: Colors): string {
  const accuracy = formatAccuracy(summary.accuracy, summary.ci95);
  const lines: [string, string][] = [
    ['strategy', colors.cyan(summary.strategy)],
    ['records', `${formatCount(summary.n)} (${formatCount(summary.scored)} scored)`],
    ['correct', formatCount(summary.correct)],
    ['accuracy', summary.accuracy === null ? accuracy : `${colors.bold(accuracy)} (95% Wilson interval)`],
    ['errors', summary.errors > 0 ? colors.red(formatCount(summary.errors)) : '0'],
    ['requests', formatCount(summary.requests)],
    [
      'tokens',
      `${summary.usageEstimated === undefined ? '' : '≈'}${formatCount(summary.usage.totalTokens)} (${formatCount(summary.usage.promptTokens)} prompt, ` +
        `${formatCount(summary.usage.completionTokens)} completion)`,
    ],
    [
      'latency',
      `p50 ${formatMilliseconds(summary.latencyMs.p50)} ms, p95 ${formatMilliseconds(summary.latencyMs.p95)} ms`,
    ],
    ['samples/rec', formatMean(summary.samplesUsed)],
  ];
  const labelWidth = Math.max(...lines.map(([label]) => label.length));
  const body = lines.map(([label, value]) => `${colors.dim(label.padEnd(labelWidth))}  ${value}`);
  const notes = summaryNotes(summary).map((note) => colors.yellow(note));
  return [...body, ...notes].join('\n');
}

/**
 * One strategy's (or cell's, named as its table names it) summary on one line, for a log: `cot: 22/30 correct, 73.3% [55.6–85.8], 1 error,
 * 30 requests, 2,379 tokens, p50 93 ms`.
 */
export function renderSummaryLine(summary: StrategySummary, name: string = summary.strategy): string {
  const errors = `${formatCount(summary.errors)} error${summary.errors === 1 ? '' : 's'}`;
  return (
    `${name}: ${formatCount(summary.correct)}/${formatCount(summary.scored)} correct, ` +
    `${formatAccuracy(summary.accuracy, summary.ci95)}, ${errors}, ${formatCount(summary.requests)} requests, ` +
    `${formatCount(summary.usage.totalTokens)} tokens, p50 ${formatMilliseconds(summary.latencyMs.p50)} ms`
  );
}
