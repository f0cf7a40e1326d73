/**
 * The search's request budget. Requests are counted as the calls a strategy makes to the endpoint,
 * whether the cache answers them or not (and the HTTP retries of a call when it made more), so a rerun
 * from the cache walks the same search for free and a --resume replays the same decisions.
 *
 * Evaluations run concurrently, so an evaluation is admitted only while the requests already spent,
 * the ones the evaluations in flight may still make, and its own fit the limit; each is reckoned at the
 * most any evaluation has cost so far. For strategies whose cost per record is fixed (all but
 * self-consistency with --stop esc|beta) the limit then holds exactly.
 */
export interface RequestBudget {
  readonly limit: number;
  /** Requests spent so far. */
  spent(): number;
  /** The part of it spent outside evaluations (`charge`). */
  charged(): number;
  /** The most one evaluation has cost so far (the estimate before any: `initialEstimate`). */
  costPerEvaluation(): number;
  /** Admits `evaluations` more if they fit (and reserves for them); false admits none. */
  tryStart(evaluations: number): boolean;
  /** One admitted evaluation finished, having cost `cost` requests. */
  finish(cost: number): void;
  /** An evaluation a resumed run already made, costing `cost`: counted as spent, never admitted. */
  replay(cost: number): void;
  /** Requests spent outside evaluations (proposing instructions). */
  charge(cost: number): void;
  /** Raises (or sets) the limit once it is known; never below what is spent. */
  setLimit(limit: number): void;
}

export function createRequestBudget(limit: number, initialEstimate = 1): RequestBudget {
  let currentLimit = limit;
  let spent = 0;
  let charged = 0;
  let inFlight = 0;
  let largest = 0;
  const estimate = () => Math.max(largest, initialEstimate);
  return {
    get limit() {
      return currentLimit;
    },
    spent: () => spent,
    charged: () => charged,
    costPerEvaluation: estimate,
    tryStart(evaluations) {
      if (evaluations <= 0) return true;
      if (spent + (inFlight + evaluations) * estimate() > currentLimit) return false;
      inFlight += evaluations;
      return true;
    },
    finish(cost) {
      inFlight = Math.max(0, inFlight - 1);
      spent += cost;
      largest = Math.max(largest, cost);
    },
    replay(cost) {
      spent += cost;
      largest = Math.max(largest, cost);
    },
    charge(cost) {
      spent += cost;
      charged += cost;
    },
    setLimit(next) {
      currentLimit = Math.max(next, spent);
    },
  };
}

/**
 * The records a round hands to the runner, in order, each with every candidate that still lacks it:
 * a record goes out only when the budget admits all of its pending evaluations, so the candidates of a
 * round are always compared on the same records. `onStop` hears when the budget held one back.
 */
export async function* admittedRecords<T extends { id: string }>(
  records: readonly T[],
  pending: (record: T) => number,
  budget: RequestBudget,
  onStop: () => void,
): AsyncGenerator<T> {
  for (const record of records) {
    const evaluations = pending(record);
    if (evaluations === 0) continue;
    if (!budget.tryStart(evaluations)) {
      onStop();
      return;
    }
    yield record;
  }
}
