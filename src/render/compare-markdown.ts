/** `compare --format markdown`: a GitHub-flavoured table for $GITHUB_STEP_SUMMARY or a PR comment. */
import { cellNamer } from '../core/cells.js';
import type { CompareReport } from '../scoring/compare-report.js';
import { baselineWording, explainTests, summaryColumns, summaryNotes } from './summary-cells.js';

/** Pipes end a cell and newlines end a row; backslash-escape the one, flatten the other. */
function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

const row = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;

export function renderCompareMarkdown(report: CompareReport): string {
  const nameOf = cellNamer(report.strategies);
  const columns = summaryColumns(report.strategies);
  const header = row(columns.map((column) => column.header));
  const divider = `|${columns.map((column) => (column.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = report.strategies.map((summary) => row(columns.map((column) => column.cell(summary))));
  const notes = report.strategies
    .flatMap((summary) => summaryNotes(summary, nameOf(summary)))
    .map((note) => `- ${markdownCell(note)}`);
  const { baseline, rows } = baselineWording(report);
  return [
    `### promptlab compare (baseline: ${markdownCell(baseline)})`,
    '',
    header,
    divider,
    ...body,
    '',
    ...(notes.length > 0 ? [...notes, ''] : []),
    markdownCell(explainTests(baseline, report.alpha, rows)),
    '',
  ].join('\n');
}
