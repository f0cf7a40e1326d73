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
  strategy: string;
  count: number;
  /** The first few ids: the rest are only counted, so the list does not grow with the dataset. */
  ids: string[];
  first: string;
  allSame: boolean;
}

export interface WarningSummary {
  add(result: ResultRecord): void;
  /** One line per strategy and kind, in the order first seen. */
  lines(): string[];
}

export function createWarningSummary(shownIds = 3): WarningSummary {
  const groups = new Map<string, Group>();
  return {
    add(result) {
      for (const message of result.warnings) {
        const key = `${result.strategy}\u0000${warningKind(message)}`;
        const group = groups.get(key);
        if (group === undefined) {
          groups.set(key, { strategy: result.strategy, count: 1, ids: [result.id], first: message, allSame: true });
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
        if (count === 1) return `${group.ids[0]} (${group.strategy}): ${group.first}`;
        const more = count - shownIds;
        const ids = more > 0 ? `${group.ids.join(', ')} and ${more} more` : group.ids.join(', ');
        const records = `${group.strategy}: ${count} records (${ids})`;
        return group.allSame ? `${records}: ${group.first}` : `${records}, e.g. ${group.ids[0]}: ${group.first}`;
      });
    },
  };
}
