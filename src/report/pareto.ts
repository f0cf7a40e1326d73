/**
 * The Pareto front of cost against accuracy: the cells no other cell beats on both, so a reader sees at
 * once which settings are worth their price and which are dominated.
 */
export interface TradeoffPoint {
  /** What a record costs: tokens or dollars per record. Lower is better. */
  cost: number;
  /** Higher is better. */
  accuracy: number;
}

/**
 * For each point, whether it is on the front: no other point costs as little or less and is as accurate
 * or more, with one of the two strictly. Two identical points are both on the front.
 */
export function paretoFront(points: readonly TradeoffPoint[]): boolean[] {
  return points.map(
    (point) =>
      !points.some(
        (other) =>
          other.cost <= point.cost &&
          other.accuracy >= point.accuracy &&
          (other.cost < point.cost || other.accuracy > point.accuracy),
      ),
  );
}
