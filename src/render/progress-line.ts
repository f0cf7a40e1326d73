/**
 * The progress line of every run, one form for all: `zero-shot 12/30 · cot 10/30 (1 error) · ETA 14 s`.
 * Too wide for the terminal (five strategies at 80 columns), it says the same in total:
 * `5 strategies 53/150 (1 error) · ETA 14 s`.
 */
import { textWidth } from './text-width.js';

export interface ProgressCount {
  done: number;
  errors: number;
}

const errorsText = (errors: number): string => (errors > 0 ? ` (${errors} error${errors === 1 ? '' : 's'})` : '');

/** 8 s, 4 min, 1 h 12 min: as precise as an estimate deserves. */
export function formatEta(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * `counts`: per job (a strategy, or whatever a run's jobs are), results done in this run. `total`:
 * records in the dataset, when known. `width`: the columns the line may take (null: no limit).
 */
export function progressLine(
  counts: ReadonlyMap<string, ProgressCount>,
  total: number | null,
  elapsedMs: number,
  width: number | null = null,
): string {
  const of = (done: number, size: number) => `${done}${total === null ? '' : `/${total * size}`}`;
  const done = [...counts.values()].reduce((sum, count) => sum + count.done, 0);
  const errors = [...counts.values()].reduce((sum, count) => sum + count.errors, 0);
  const eta =
    total !== null && done > 0
      ? [`ETA ${formatEta(Math.ceil(((elapsedMs / done) * (total * counts.size - done)) / 1000))}`]
      : [];
  const full = [
    ...[...counts].map(([name, count]) => `${name} ${of(count.done, 1)}${errorsText(count.errors)}`),
    ...eta,
  ].join(' · ');
  if (width === null || counts.size === 1 || textWidth(full) <= width) return full;
  return [`${counts.size} strategies ${of(done, counts.size)}${errorsText(errors)}`, ...eta].join(' · ');
}
