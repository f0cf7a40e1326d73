/** `compare --format markdown`: a GitHub-flavoured table for $GITHUB_STEP_SUMMARY or a PR comment. */
import type { CompareReport } from '../scoring/compare-report.js';
import { explainTests, summaryCells, summaryColumns, summaryNotes } from './summary-cells.js';

/** Pipes end a cell and newlines end a row; backslash-escape the one, flatten the other. */
function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

const row = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;

export function renderCompareMarkdown(report: CompareReport): string {
  const header = row(summaryColumns.map((column) => column.header));
  const divider = `|${summaryColumns.map((column) => (column.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = report.strategies.map((summary) => row(summaryCells(summary)));
  const notes = report.strategies.flatMap(summaryNotes).map((note) => `- ${markdownCell(note)}`);
  return [
    `### promptlab compare (baseline: ${markdownCell(report.baselineStrategy)})`,
    '',
    header,
    divider,
    ...body,
    '',
    ...(notes.length > 0 ? [...notes, ''] : []),
    markdownCell(explainTests(report.baselineStrategy, report.alpha)),
    '',
  ].join('\n');
}
