/**
 * Candidates are the product of the axes a user gives (templates × system instructions × triggers ×
 * demonstration sets), each axis with the baseline's own setting as its first value, so the all-baseline
 * combination — the strategy as the user would run it without tuning — is always candidate c0.
 */
import type { Demonstration } from '../strategies/demonstrations.js';
import { UsageError } from '../errors.js';

/** What a candidate changes about the baseline run; a setting left out is the baseline's. */
export interface CandidateSettings {
  /** A template name or path, in place of -t. */
  template?: string;
  /** A system instruction, in place of --system or the template's own. */
  system?: string;
  /** A chain-of-thought trigger, in place of --trigger or the template's own. */
  trigger?: string;
  /** Demonstrations per input (the strategy's --shots). */
  shots?: number;
  /** A fixed demonstration set drawn from --examples (shots of them, in this order). */
  demonstrations?: { set: number; items: Demonstration[] };
}

export type CandidateSource = 'baseline' | 'given' | 'generated';

export interface Candidate {
  /** c0 for the baseline, then c1, c2, ... in the order the product makes them. */
  id: string;
  label: string;
  source: CandidateSource;
  settings: CandidateSettings;
}

/** One value an axis can take besides the baseline's. */
export interface AxisValue {
  label: string;
  source: 'given' | 'generated';
  settings: CandidateSettings;
}

export interface Axis {
  /** The flag that made it, for messages. */
  flag: string;
  values: AxisValue[];
}

/** How many candidates the axes make: the product of (1 + values) over the axes. */
export function productSize(axes: readonly Axis[]): number {
  return axes.reduce((size, axis) => size * (1 + axis.values.length), 1);
}

export const defaultMaxCandidates = 64;

/**
 * Every combination of the axes' values, the baseline first. More than `limit` candidates is a usage
 * error naming the axes, before anything is spent: the user raises --max-candidates or drops an axis.
 */
export function candidateProduct(axes: readonly Axis[], limit: number, firstId = 0): Candidate[] {
  const size = productSize(axes);
  if (size > limit) {
    const sizes = axes.map((axis) => `${axis.flag} ${1 + axis.values.length}`).join(' × ');
    throw new UsageError(
      `the candidate axes make ${size} candidates (${sizes}, each with the baseline's own), more than --max-candidates ${limit}; raise it or give fewer values`,
    );
  }
  let combinations: Array<Array<AxisValue | null>> = [[]];
  for (const axis of axes) {
    combinations = combinations.flatMap((combination) =>
      [null, ...axis.values].map((value) => [...combination, value]),
    );
  }
  return combinations.map((combination, index) => {
    const chosen = combination.filter((value): value is AxisValue => value !== null);
    return {
      id: `c${firstId + index}`,
      label: chosen.length === 0 ? 'baseline' : chosen.map((value) => value.label).join(' · '),
      source:
        chosen.length === 0 ? 'baseline' : chosen.some((value) => value.source === 'generated') ? 'generated' : 'given',
      settings: Object.assign({}, ...chosen.map((value) => value.settings)) as CandidateSettings,
    };
  });
}
