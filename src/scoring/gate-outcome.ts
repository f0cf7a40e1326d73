/** What every CI gate (gates.ts, max-errors.ts) reports when it fails. */
export type GateName = 'fail-under' | 'baseline' | 'max-errors';

export interface GateOutcome {
  gate: GateName;
  strategy: string;
  /** One line: which gate, which strategy, by how much. */
  message: string;
}
