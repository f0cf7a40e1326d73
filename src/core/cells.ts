/**
 * A cell of a run's matrix: one model × one strategy × one variant of it. A run of one strategy is one
 * cell; `compare --models a,b --strategies zero-shot,cot` is four; an eval file's variants add more.
 * Summaries, pairing, gates, resume and the report are all keyed by the cell.
 */

export interface Cell {
  /** The model as the run names it: `MODEL`, or `ENDPOINT:MODEL` for a named endpoint's model. */
  model: string;
  strategy: string;
  /** The variant's name (an eval file's `name:`); null for the strategy with its one setting. */
  variant: string | null;
}

/** A key for maps and sets: equal cells give equal keys. */
export const cellId = (cell: Cell): string => JSON.stringify([cell.model, cell.strategy, cell.variant]);

/** The cell a result or summary belongs to; files written before variants existed have none (null). */
export const cellOf = (entry: { model: string; strategy: string; variant?: string | null | undefined }): Cell => ({
  model: entry.model,
  strategy: entry.strategy,
  variant: entry.variant ?? null,
});

export const sameCell = (left: Cell, right: Cell): boolean => cellId(left) === cellId(right);

/**
 * How tables, gates and progress name the cells of one run: the variant's name or the strategy, after
 * `model/` when the run has several models. It is the spelling `--fail-under model/name=X` takes.
 */
export function cellNamer(cells: readonly Cell[]): (cell: Cell) => string {
  const severalModels = new Set(cells.map((cell) => cell.model)).size > 1;
  return (cell) => {
    const name = cell.variant ?? cell.strategy;
    return severalModels ? `${cell.model}/${name}` : name;
  };
}
