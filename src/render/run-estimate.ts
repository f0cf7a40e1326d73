/** `compare --dry-run` / `eval --dry-run` on a terminal: the size of the matrix and what it would cost. */
import { cellNamer, type Cell } from '../core/cells.js';
import type { Colors } from './colors.js';
import { formatCount } from './format.js';
import { formatTextTable } from './text-table.js';
import { wrapToWidth } from './text-width.js';

export interface EstimateView {
  records: number;
  models: readonly string[];
  /** The strategies and variants, by name. */
  entries: readonly string[];
  cells: ReadonlyArray<Cell & { requests: number; promptTokens: number }>;
  estimate: { requests: number; promptTokens: number };
  /** How the estimate was made, in one line. */
  basis: string;
}

/**
 * "20 records × 4 cells (2 models × 2 strategies) = 80 runs", a row per cell, the total, and the basis,
 * wrapped at spaces to `width` (a terminal's; null for no limit) rather than cut mid-word by the terminal.
 */
export function renderRunEstimate(view: EstimateView, colors: Colors, width: number | null = null): string {
  const nameOf = cellNamer(view.cells);
  const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;
  const shape =
    view.models.length > 1
      ? ` (${plural(view.models.length, 'model')} × ${plural(view.entries.length, 'strategy', 'strategies')})`
      : '';
  const size =
    `${plural(view.records, 'record')} × ${plural(view.cells.length, 'cell')}${shape} = ` +
    `${plural(view.records * view.cells.length, 'record run')}`;
  const rows = view.cells.map((cell) => [
    colors.cyan(nameOf(cell)),
    formatCount(cell.requests),
    formatCount(cell.promptTokens),
  ]);
  rows.push([colors.bold('total'), formatCount(view.estimate.requests), formatCount(view.estimate.promptTokens)]);
  const table = formatTextTable(
    [
      { header: 'cell', align: 'left' },
      { header: 'requests', align: 'right' },
      { header: 'prompt tokens', align: 'right' },
    ],
    rows,
    colors.bold,
  );
  const basis = `Nothing was sent. ${capitalised(view.basis)}.`;
  const basisLines = width === null ? [basis] : wrapToWidth(basis, width);
  return [size, '', table, '', ...basisLines.map((line) => colors.dim(line))].join('\n');
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
