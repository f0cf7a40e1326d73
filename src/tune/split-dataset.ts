/**
 * The dev/test split of `tune`, made once: the search only ever sees dev, and the test part is used once,
 * at the end, for the numbers reported as the result.
 *
 * Records are ordered by a seeded hash of their id, not shuffled in file order: the same seed and the
 * same ids give the same split whatever order the file lists them in, and a rerun or a --resume sees
 * exactly the records it saw before. The dev part keeps that random order, so the successive-halving
 * slices (the first k dev records) are random samples of dev, not its first lines.
 */
import { hashString } from '../core/seeded-random.js';
import { UsageError } from '../errors.js';

export interface DevTestSplit<T> {
  /** In seeded random order: slices of it are what successive halving evaluates on. */
  dev: T[];
  /** In dataset order. */
  test: T[];
}

/** How many of `total` records go to dev: `devFraction` of them, rounded, leaving at least one on each side. */
export function devSize(total: number, devFraction: number): number {
  return Math.min(total - 1, Math.max(1, Math.round(total * devFraction)));
}

export function splitDevTest<T extends { id: string; index: number }>(
  records: readonly T[],
  devFraction: number,
  seed: number,
): DevTestSplit<T> {
  if (records.length < 2)
    throw new UsageError(
      `tune needs at least 2 records with "expected" (one for the search, one to test the winner); the dataset has ${records.length}`,
    );
  const ordered = records
    .map((record) => ({ record, key: hashString(`${seed}:${record.id}`) }))
    .sort((left, right) => left.key - right.key || (left.record.id < right.record.id ? -1 : 1))
    .map((entry) => entry.record);
  const size = devSize(records.length, devFraction);
  return {
    dev: ordered.slice(0, size),
    test: ordered.slice(size).sort((left, right) => left.index - right.index),
  };
}
