/**
 * What the terminal table and the Markdown table both say about a strategy: the same columns, the same
 * words, so a CI summary and a local run read alike. Plain strings; each renderer styles its own.
 */
import type { BaselineDifference, StrategySummary } from '../scoring/summary.js';
import type { Alignment } from './text-table.js';
import {
  formatAccuracy,
  formatCount,
  formatDeltaPoints,
  formatMean,
  formatMilliseconds,
  formatPClause,
} from './format.js';

export const summaryColumns: readonly { header: string; align: Alignment }[] = [
  { header: 'strategy', align: 'left' },
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

/** Every column but the last ("vs baseline"), which needs to know the baseline. */
export function summaryCells(summary: StrategySummary): string[] {
  return [
    summary.strategy,
    formatCount(summary.n),
    formatCount(summary.correct),
    formatAccuracy(summary.accuracy, summary.ci95),
    formatCount(summary.errors),
    formatCount(summary.requests),
    `${summary.usageEstimated === undefined ? '' : '≈'}${formatCount(summary.usage.totalTokens)}`,
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

/** Things a reader should know that the columns hide: unscored records, failed extractions, truncation. */
export function summaryNotes(summary: StrategySummary): string[] {
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
  return notes.map((note) => `${summary.strategy}: ${note}`);
}

/** The one line that says which tests produced the numbers. */
export function explainTests(baselineStrategy: string, alpha: number): string {
  return (
    `Accuracy intervals are 95% Wilson score intervals. "vs baseline" compares each strategy with ` +
    `${baselineStrategy} on the records both scored, with a two-sided exact McNemar test (α = ${alpha}).`
  );
}
