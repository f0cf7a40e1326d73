/** What every CI gate (gates.ts, max-errors.ts) reports when it fails. */
export type GateName = 'fail-under' | 'baseline' | 'max-errors';

export interface GateOutcome {
  gate: GateName;
  /** The cell that failed, as the run names it (`cot`, or `model/cot` with several models). */
  cell: string;
  /** One line: which gate, which cell, by how much. */
  message: string;
}
