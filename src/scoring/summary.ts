/**
 * Per-strategy summaries, built one result at a time so a run over a large dataset never holds its
 * results: the accumulator keeps counters, one 8-byte latency per record and one id → correctness entry
 * per record (what the paired comparison needs), nothing else.
 */
import type { Cell } from '../core/cells.js';
import { addUsage, zeroUsage, type Usage } from '../core/chat-client.js';
import type { ResultRecord } from '../core/records.js';
import { percentile, wilsonInterval } from './statistics.js';

/** How a strategy differs from the baseline strategy on the records both scored (see compare-report.ts). */
export interface BaselineDifference {
  strategy: string;
  /** Accuracy of this strategy minus the baseline's, over the paired records (−1..1). */
  delta: number;
  /** Two-sided exact McNemar p-value. */
  pValue: number;
  /** Records this strategy got right and the baseline got wrong. */
  better: number;
  /** Records this strategy got wrong and the baseline got right. */
  worse: number;
  significant: boolean;
}

/** One strategy's line in `compare --json` and the whole of `score --json`. Field names are a contract. */
export interface StrategySummary {
  strategy: string;
  /** Records seen. */
  n: number;
  /** Records answered correctly. */
  correct: number;
  /** correct / scored; null when nothing could be scored. */
  accuracy: number | null;
  /** 95% Wilson interval for accuracy; null when nothing could be scored. */
  ci95: [number, number] | null;
  /** Records with a known expected answer (an errored record with one counts, as incorrect). */
  scored: number;
  /** Records that ended in an error. */
  errors: number;
  /** Records with no error whose answer could not be extracted. */
  extractionFailures: number;
  /** Records where some completion stopped at the token limit (finishReason 'length'). */
  truncated: number;
  /** HTTP requests made, retries included. */
  requests: number;
  usage: Usage;
  /** Records whose usage is an estimate (the endpoint under-counted it); present only when there are some. */
  usageEstimated?: number;
  latencyMs: { p50: number; p95: number };
  /** Mean samples used per record, over the records without an error. */
  samplesUsed: number;
  /** Present (true) only when the run was interrupted: `n` is then what it finished, of `total` records. */
  interrupted?: true;
  /** Records in the dataset, when the run was interrupted (null when not known: stdin). */
  total?: number | null;
  vsBaseline?: BaselineDifference;
}

/** How a cell differs from the baseline cell: compare/v1's fields, and the baseline's model and variant. */
export interface CellDifference extends BaselineDifference {
  model: string;
  variant: string | null;
}

/**
 * One cell's summary (compare, eval, and a run's own): a strategy summary that names its model and
 * variant. Field names are a contract (`promptlab.compare/v1` plus `model` and `variant`).
 */
export interface CellSummary extends StrategySummary {
  model: string;
  variant: string | null;
  vsBaseline?: CellDifference;
}

/** A cell's summary from its strategy summary, the cell's names first. */
export function cellSummary(cell: Cell, summary: StrategySummary): CellSummary {
  const { strategy: _strategy, vsBaseline: _vsBaseline, ...counts } = summary;
  return { strategy: cell.strategy, model: cell.model, variant: cell.variant, ...counts };
}

export interface SummaryAccumulator {
  add(result: ResultRecord): void;
  /** The summary so far; may be called more than once. */
  finish(): StrategySummary;
  /** id → correct (null when the record had nothing to score), for pairing records across strategies. */
  correctness(): Map<string, boolean | null>;
}

/** A record can be scored when it has an expected answer, or when whoever produced it already scored it. */
function isScorable(result: ResultRecord): boolean {
  if (result.correct !== null) return true;
  const expected = result.expected;
  if (expected === null || expected === undefined) return false;
  return Array.isArray(expected) ? expected.length > 0 : true;
}

/**
 * Latencies live in a Float64Array that doubles when full: 8 bytes per record, exact percentiles.
 * A quantile sketch would bound memory further, but at 8 bytes a million records is 8 MB, and exact
 * numbers keep the report reproducible.
 */
class LatencyBuffer {
  private values = new Float64Array(64);
  private count = 0;

  push(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  percentiles(): { p50: number; p95: number } {
    const sorted = this.values.slice(0, this.count).sort(); // typed-array sort is numeric
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  }
}

export function createSummaryAccumulator(strategy: string): SummaryAccumulator {
  let n = 0;
  let correct = 0;
  let scored = 0;
  let errors = 0;
  let extractionFailures = 0;
  let truncated = 0;
  let requests = 0;
  let samplesUsed = 0;
  let usageEstimated = 0;
  let usage = zeroUsage();
  const latencies = new LatencyBuffer();
  const correctnessById = new Map<string, boolean | null>();

  return {
    add(result) {
      n += 1;
      const scorable = isScorable(result);
      const isCorrect = result.correct === true;
      if (scorable) scored += 1;
      if (isCorrect) correct += 1;
      if (result.error !== null) errors += 1;
      else if (result.answer === null) extractionFailures += 1;
      if (result.completions.some((completion) => completion.finishReason === 'length')) truncated += 1;
      requests += result.requests;
      if (result.error === null) samplesUsed += result.samplesUsed;
      usage = addUsage(usage, result.usage);
      if (result.usageEstimated === true) usageEstimated += 1;
      latencies.push(result.latencyMs);
      correctnessById.set(result.id, scorable ? isCorrect : null);
    },
    finish() {
      return {
        strategy,
        n,
        correct,
        accuracy: scored > 0 ? correct / scored : null,
        ci95: scored > 0 ? wilsonInterval(correct, scored) : null,
        scored,
        errors,
        extractionFailures,
        truncated,
        requests,
        usage: { ...usage },
        ...(usageEstimated > 0 ? { usageEstimated } : {}),
        latencyMs: latencies.percentiles(),
        // Per record that got samples: an errored record drew none, and would pull the mean down.
        samplesUsed: n - errors > 0 ? samplesUsed / (n - errors) : 0,
      };
    },
    correctness() {
      return correctnessById;
    },
  };
}

/** Summarise a finite list of results in one go (score, tests). */
export function summarizeResults(strategy: string, results: Iterable<ResultRecord>): StrategySummary {
  const accumulator = createSummaryAccumulator(strategy);
  for (const result of results) accumulator.add(result);
  return accumulator.finish();
}
