/** Aligned plain-text tables whose cells may carry colour codes. */
import { visibleWidth } from './colors.js';

export type Alignment = 'left' | 'right';

export interface TextColumn {
  header: string;
  align: Alignment;
}

function pad(text: string, width: number, align: Alignment): string {
  // Pad by visible width: colour codes would otherwise count as characters and skew the columns.
  const padding = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? padding + text : text + padding;
}

/**
 * Headers (passed through `styleHeader`), then one line per row. Columns are separated by two spaces;
 * a left-aligned last column is not padded, so lines carry no trailing spaces.
 */
export function formatTextTable(
  columns: readonly TextColumn[],
  rows: readonly (readonly string[])[],
  styleHeader: (text: string) => string = (text) => text,
): string {
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[index] ?? ''))),
  );
  const lastIndex = columns.length - 1;
  const cell = (text: string, index: number): string => {
    const column = columns[index]!;
    return index === lastIndex && column.align === 'left' ? text : pad(text, widths[index]!, column.align);
  };
  const header = columns.map((column, index) => styleHeader(cell(column.header, index))).join('  ');
  const body = rows.map((row) => columns.map((_column, index) => cell(row[index] ?? '', index)).join('  '));
  return [header, ...body].join('\n');
}
