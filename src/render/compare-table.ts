/** The terminal views of `compare` (a table of cells) and `score` (one strategy's lines). */
import { cellNamer } from '../core/cells.js';
import type { CompareReport } from '../scoring/compare-report.js';
import type { StrategySummary } from '../scoring/summary.js';
import type { Colors } from './colors.js';
import { formatAccuracy, formatCount, formatMean, formatMilliseconds } from './format.js';
import {
  baselineWording,
  countCells,
  describeBaselineDifference,
  explainTests,
  identityCells,
  identityColumnsOf,
  summaryColumns,
  summaryNotes,
} from './summary-cells.js';
import { formatTextTable } from './text-table.js';

function baselineCell(summary: StrategySummary, colors: Colors): string {
  const difference = summary.vsBaseline;
  if (difference === undefined) return colors.dim('(baseline)');
  const text = describeBaselineDifference(difference);
  if (!difference.significant) return text;
  return difference.delta < 0 ? colors.red(text) : colors.green(text);
}

export function renderCompareTable(report: CompareReport, colors: Colors): string {
  const identity = identityColumnsOf(report.strategies);
  const nameOf = cellNamer(report.strategies);
  const rows = report.strategies.map((summary) => {
    const [n = '', correct = '', accuracy = '', errors = '', ...rest] = countCells(summary);
    const errorsCell = summary.errors > 0 ? colors.red(errors) : errors;
    return [
      ...identityCells(summary, identity).map((text) => colors.cyan(text)),
      n,
      correct,
      accuracy,
      errorsCell,
      ...rest,
      baselineCell(summary, colors),
    ];
  });
  const notes = report.strategies
    .flatMap((summary) => summaryNotes(summary, nameOf(summary)))
    .map((note) => colors.yellow(note));
  const { baseline, rows: rowWord } = baselineWording(report);
  return [
    formatTextTable(summaryColumns(identity), rows, colors.bold),
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
    colors.dim(explainTests(baseline, report.alpha, rowWord)),
  ].join('\n');
}

/** `score`: the same facts as one compare row, as labelled lines. */
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
      `${formatCount(summary.usage.totalTokens)} (${formatCount(summary.usage.promptTokens)} prompt, ` +
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
