/**
 * `--fail-under`: one threshold for every cell (`0.8`), or thresholds for the cells a key names —
 * `cot=0.8` (every model's cot), `sc-10=0.85` (a variant), `gpt-4o-mini/cot=0.9` (one model's). Model
 * names may hold `/` themselves (`openai/gpt-4o`), so the strategy or variant is what follows the last one.
 * Parsed before any request, against the run's cells, so a typo is exit 2 and not a gate that never fires.
 */
import type { Cell } from '../core/cells.js';
import { numberInRange } from '../config/flag-values.js';
import { UsageError } from '../errors.js';

/** The cells a threshold applies to: a strategy or variant name, in one model (or, null, in every model). */
export interface CellSelector {
  model: string | null;
  name: string;
}

export interface FailUnderGate {
  threshold: number;
  /** null: every cell. */
  selector: CellSelector | null;
}

export const selects = (selector: CellSelector, cell: Cell): boolean =>
  (selector.model === null || cell.model === selector.model) &&
  (cell.strategy === selector.name || cell.variant === selector.name);

/** `label` names the setting in errors: the flag, or the eval file's key. */
export function parseFailUnder(text: string, cells: readonly Cell[], label = '--fail-under'): FailUnderGate[] {
  if (!text.includes('=')) return [{ threshold: threshold(text, label), selector: null }];
  return text.split(',').map((part) => {
    const at = part.lastIndexOf('=');
    const key = part.slice(0, at).trim();
    const selector = selectorOf(key);
    if (key === '' || !cells.some((cell) => selects(selector, cell))) {
      throw new UsageError(`${label}: "${key}" names no cell of this run (${knownKeys(cells)})`);
    }
    return { threshold: threshold(part.slice(at + 1), `${label} ${key}`), selector };
  });
}

function selectorOf(key: string): CellSelector {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? { model: null, name: key } : { model: key.slice(0, slash), name: key.slice(slash + 1) };
}

const threshold = (raw: string, label: string): number => numberInRange(raw, label, 0, 1);

/** "names: zero-shot, cot, sc-10; models: a, b" — what a key may say. */
function knownKeys(cells: readonly Cell[]): string {
  const names = new Set(
    cells.flatMap((cell) => (cell.variant === null ? [cell.strategy] : [cell.strategy, cell.variant])),
  );
  const models = new Set(cells.map((cell) => cell.model));
  const namesText = `names: ${[...names].join(', ')}`;
  return models.size > 1 ? `${namesText}; models: ${[...models].join(', ')}` : namesText;
}
