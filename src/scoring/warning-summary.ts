/**
 * A run's per-record warnings, said once per kind: `self-consistency: 12 records (4, 9, 17 and 9 more):
 * all 5 samples are byte-identical at temperature 0.7: ...`. Each record keeps its own in `warnings`;
 * stderr gets the count and the first few ids instead of a line per record.
 */
import type { ResultRecord } from '../core/records.js';

/** Warnings of one kind say the same thing about different records: their numbers and tied answers differ. */
export function warningKind(message: string): string {
  if (message.startsWith('tie between ')) return 'tie';
  return message.replace(/\d+(?:\.\d+)?/g, '#');
}

interface Group {
  /** The cell the records belong to, as the run names it (`cot`, `large/cot`). */
  cell: string;
  count: number;
  /** The first few ids: the rest are only counted, so the list does not grow with the dataset. */
  ids: string[];
  first: string;
  allSame: boolean;
}

export interface WarningSummary {
  add(result: ResultRecord): void;
  /** One line per cell and kind, in the order first seen. */
  lines(): string[];
}

/**
 * `nameOf` names a result's cell as the run's tables do (cellNamer): with several models the same record
 * warns once per model, under each model's name.
 */
export function createWarningSummary(
  nameOf: (result: ResultRecord) => string = (result) => result.strategy,
  shownIds = 3,
): WarningSummary {
  const groups = new Map<string, Group>();
  return {
    add(result) {
      for (const message of result.warnings) {
        const cell = nameOf(result);
        const key = `${cell}\u0000${warningKind(message)}`;
        const group = groups.get(key);
        if (group === undefined) {
          groups.set(key, { cell, count: 1, ids: [result.id], first: message, allSame: true });
          continue;
        }
        group.count++;
        if (group.ids.length < shownIds) group.ids.push(result.id);
        group.allSame &&= message === group.first;
      }
    },
    lines() {
      return [...groups.values()].map((group) => {
        const { count } = group;
        if (count === 1) return `${group.ids[0]} (${group.cell}): ${group.first}`;
        const more = count - shownIds;
        const ids = more > 0 ? `${group.ids.join(', ')} and ${more} more` : group.ids.join(', ');
        const records = `${group.cell}: ${count} records (${ids})`;
        return group.allSame ? `${records}: ${group.first}` : `${records}, e.g. ${group.ids[0]}: ${group.first}`;
      });
    },
  };
}
