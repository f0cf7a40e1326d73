/**
 * Numbers as they are written to JSON: what the arithmetic leaves (`p95: 103.84999999999998`,
 * `0.9999999999999999`) is noise a reader should not have to squint past. Latencies are whole
 * milliseconds; rates, means and intervals 4 decimals. Only on the way out: gates compare the exact
 * values. p-values stay exact: the exact test's are sums of powers of ½, and a p of 3e-7 must stay one.
 */
import type { CompareReport } from './compare-report.js';
import type { StrategySummary } from './summary.js';

/** 0.666666… → 0.6667: an integer over 10⁴ prints as its shortest decimal. */
export const roundRate = (value: number): number => Math.round(value * 10_000) / 10_000;

export function summaryForJson<S extends StrategySummary>(summary: S): S {
  return {
    ...summary,
    accuracy: summary.accuracy === null ? null : roundRate(summary.accuracy),
    ci95: summary.ci95 === null ? null : [roundRate(summary.ci95[0]), roundRate(summary.ci95[1])],
    latencyMs: { p50: Math.round(summary.latencyMs.p50), p95: Math.round(summary.latencyMs.p95) },
    samplesUsed: roundRate(summary.samplesUsed),
    ...(summary.vsBaseline === undefined
      ? {}
      : {
          vsBaseline: { ...summary.vsBaseline, delta: roundRate(summary.vsBaseline.delta) },
        }),
  };
}

export function reportForJson(report: CompareReport): CompareReport {
  return { ...report, strategies: report.strategies.map(summaryForJson) };
}
