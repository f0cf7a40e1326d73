/**
 * The --max-errors gate: parsed when a run starts (a bad value is a usage error before any request) and
 * checked when it ends. Kept apart from gates.ts, whose baseline gate needs zod and the statistics, so a
 * run loads neither before its first request.
 */
import { cellNamer } from '../core/cells.js';
import { UsageError } from '../errors.js';
import type { GateOutcome } from './gate-outcome.js';
import type { CellSummary } from './summary.js';

export type ErrorLimit = { count: number } | { fraction: number };

/** "N" (a count of errored records) or "P%" (a share of the records), per strategy. */
export function parseMaxErrors(text: string): ErrorLimit {
  const trimmed = text.trim();
  const count = /^\d+$/.exec(trimmed);
  if (count) return { count: Number(trimmed) };
  const percent = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(trimmed);
  if (percent && Number(percent[1]) <= 100) return { fraction: Number(percent[1]) / 100 };
  throw new UsageError(`--max-errors: expected a count like 5 or a percentage like 10% (at most 100%), got "${text}"`);
}

const percentText = (fraction: number): string => `${Number((fraction * 100).toFixed(2))}%`;

/** Fail every cell with more errored records than the limit (equal passes). */
export function checkMaxErrors(summaries: readonly CellSummary[], limit: ErrorLimit): GateOutcome[] {
  const outcomes: GateOutcome[] = [];
  const nameOf = cellNamer(summaries);
  for (const summary of summaries) {
    const { errors, n } = summary;
    const cell = nameOf(summary);
    if ('count' in limit) {
      if (errors > limit.count) {
        const message = `--max-errors ${limit.count}: ${cell} had ${errors} errored records, ${errors - limit.count} over`;
        outcomes.push({ gate: 'max-errors', cell, message });
      }
    } else if (n > 0 && errors / n > limit.fraction) {
      const share = errors / n;
      const message =
        `--max-errors ${percentText(limit.fraction)}: ${cell} had ${percentText(share)} errored records ` +
        `(${errors} of ${n}), ${Number(((share - limit.fraction) * 100).toFixed(2))} points over`;
      outcomes.push({ gate: 'max-errors', cell, message });
    }
  }
  return outcomes;
}
