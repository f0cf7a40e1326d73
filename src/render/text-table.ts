/** Aligned plain-text tables whose cells may carry colour codes, fitted to a terminal's width on request. */
import { clipToWidth, textWidth } from './text-width.js';

export type Alignment = 'left' | 'right';

export interface TextColumn {
  header: string;
  align: Alignment;
}

/**
 * A column that can give way when the table is wider than the terminal. Steps are numbers shared by
 * every column of a table: the lowest is taken first, then the next, until the table fits — so a
 * renderer that adds columns gives each its place in the order without touching the others'.
 */
export interface FittedColumn extends TextColumn {
  /** At this step the column shows its cells' compact form, under `header` if given. */
  compact?: { at: number; header?: string };
  /** At this step the column goes. */
  dropAt?: number;
  /** Once every step is taken, this column's cells are cut (…) to whatever room is left. */
  flexible?: boolean;
}

/** A cell's text, or its text and the narrower form a compacted column shows. */
export type FittedCell = string | { full: string; compact: string };

function pad(text: string, width: number, align: Alignment): string {
  // Pad by visible width: colour codes would otherwise count as characters and skew the columns.
  const padding = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'right' ? padding + text : text + padding;
}

const gap = '  ';

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
    Math.max(textWidth(column.header), ...rows.map((row) => textWidth(row[index] ?? ''))),
  );
  const lastIndex = columns.length - 1;
  const cell = (text: string, index: number): string => {
    const column = columns[index]!;
    return index === lastIndex && column.align === 'left' ? text : pad(text, widths[index]!, column.align);
  };
  const header = columns.map((column, index) => styleHeader(cell(column.header, index))).join(gap);
  const body = rows.map((row) => columns.map((_column, index) => cell(row[index] ?? '', index)).join(gap));
  return [header, ...body].join('\n');
}

export type ColumnState = 'full' | 'compact' | 'dropped';

export interface FittedTable {
  text: string;
  /** How each column was shown, in the order given. */
  states: ColumnState[];
}

/**
 * formatTextTable within `width` columns (null: no limit): compact and drop columns step by step (see
 * FittedColumn), then cut flexible columns' cells; a table that still does not fit has its lines cut,
 * which reads better than lines the terminal wraps.
 */
export function fitTextTable(
  columns: readonly FittedColumn[],
  rows: readonly (readonly FittedCell[])[],
  width: number | null,
  styleHeader: (text: string) => string = (text) => text,
): FittedTable {
  const states: ColumnState[] = columns.map(() => 'full');
  const render = (cut: Map<number, number> = new Map()) => {
    const kept = columns.flatMap((column, index) => (states[index] === 'dropped' ? [] : [{ column, index }]));
    const shownColumns = kept.map(({ column, index }) => ({
      header: states[index] === 'compact' ? (column.compact?.header ?? column.header) : column.header,
      align: column.align,
    }));
    const shownRows = rows.map((row) =>
      kept.map(({ index }) => {
        const text = cellText(row[index] ?? '', states[index]!);
        const limit = cut.get(index);
        return limit === undefined ? text : clipToWidth(text, limit);
      }),
    );
    return formatTextTable(shownColumns, shownRows, styleHeader);
  };
  let table = render();
  const done = (text: string): FittedTable => ({ text, states });
  if (width === null) return done(table);
  const fits = (text: string) => text.split('\n').every((line) => textWidth(line) <= width);
  const steps = columns
    .flatMap((column, index) => [
      ...(column.compact === undefined ? [] : [{ at: column.compact.at, index, to: 'compact' as const }]),
      ...(column.dropAt === undefined ? [] : [{ at: column.dropAt, index, to: 'dropped' as const }]),
    ])
    .sort((left, right) => left.at - right.at || right.index - left.index);
  for (const step of steps) {
    if (fits(table)) return done(table);
    if (states[step.index] === 'dropped') continue;
    states[step.index] = step.to;
    table = render();
  }
  if (fits(table)) return done(table);
  const flexible = columns.flatMap((column, index) =>
    column.flexible === true && states[index] !== 'dropped' ? [index] : [],
  );
  if (flexible.length > 0) {
    const widest = Math.max(...table.split('\n').map(textWidth));
    const excess = widest - width;
    const cut = new Map<number, number>();
    for (const index of flexible) {
      const current = Math.max(...rows.map((row) => textWidth(cellText(row[index] ?? '', states[index]!))));
      // A flexible column keeps a few characters, enough to tell its cells apart.
      cut.set(index, Math.max(8, current - Math.ceil(excess / flexible.length)));
    }
    table = render(cut);
  }
  return done(
    fits(table)
      ? table
      : table
          .split('\n')
          .map((line) => clipToWidth(line, width))
          .join('\n'),
  );
}

function cellText(cell: FittedCell, state: ColumnState): string {
  if (typeof cell === 'string') return cell;
  return state === 'compact' ? cell.compact : cell.full;
}
