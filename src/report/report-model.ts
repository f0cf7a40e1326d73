/**
 * What the HTML report shows, computed from saved results (pure). A cell is one (model, strategy,
 * variant): today a compare has one model and one setting per strategy, so a cell is a strategy; with
 * several models or variants each is its own cell, paired with the baseline cell like any other.
 * Summaries are recomputed from the records with the same accumulator and paired test `compare` uses,
 * so the report says exactly what the run said, for any file the run wrote.
 */
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import type { Completion, ResultRecord } from '../core/records.js';
import { InputError } from '../errors.js';
import { defaultAlpha, pairedComparison, type PairedComparison } from '../scoring/compare-report.js';
import { createSummaryAccumulator, type StrategySummary } from '../scoring/summary.js';
import { paretoFront } from './pareto.js';
import { costOf, type ModelPrice } from './prices.js';
import {
  accuracyByAgreement,
  accuracyBySamples,
  judgeDisagreements,
  recordedJudge,
  type AgreementLevel,
  type SamplePoint,
} from './sample-curves.js';
import type { SavedOutput } from './saved-output.js';

export interface CellKey {
  model: string;
  strategy: string;
  /** The variant's name; null for a strategy run with its one setting. */
  variant: string | null;
}

export interface CellReport {
  key: CellKey;
  /** How the page names the cell: the variant or strategy, after the model when there are several. */
  label: string;
  summary: StrategySummary;
  /** Against the baseline cell over the records both scored; null for the baseline itself. */
  vsBaseline: (PairedComparison & { significant: boolean }) | null;
  tokensPerRecord: number;
  /** USD per record; null when the model's price is unknown. */
  costPerRecord: number | null;
  onParetoFront: boolean;
  /** Self-consistency (any cell whose records carry votes): accuracy by samples voted, and by agreement. */
  bySamples: SamplePoint[] | null;
  byAgreement: AgreementLevel[] | null;
}

/** One cell's outcome for one record, as the record table shows it. */
export interface RecordOutcome {
  answer: string | null;
  correct: boolean | null;
  error: string | null;
  completions: Array<Completion & { via?: unknown }>;
  votes: Record<string, number> | null;
  agreement: number | null;
  samplesUsed: number;
  warnings: string[];
}

export interface RecordRow {
  id: string;
  vars: Record<string, unknown>;
  expected: string | string[] | null;
  /** By cell index; null where the cell has no result for this record. */
  outcomes: Array<RecordOutcome | null>;
  /** The cells that answered gave different answers (no answer counts as one). */
  disagree: boolean;
  /** Some cell got it wrong (errors included). */
  wrong: boolean;
  /** Some cell ended in an error or found no answer. */
  failed: boolean;
}

export interface ReportModel {
  cells: CellReport[];
  /** Index of the baseline cell in `cells`. */
  baseline: number;
  alpha: number;
  /** The chart's x axis: cost per record when every cell's model has a price, else tokens per record. */
  costAxis: 'usd' | 'tokens';
  models: string[];
  templates: string[];
  records: RecordRow[];
  /** Things the reader of the report (or the terminal) should know: prices missing, rescoring caveats. */
  notes: string[];
}

export interface ReportOptions {
  prices: ReadonlyMap<string, ModelPrice>;
  /** How answers at smaller k are matched against `expected` (the run's --answer and --match). */
  answer: AnswerSpec;
  match: MatchMode;
  /** The baseline cell; default: the saved summary without `vsBaseline`, else the first cell. */
  baseline?: Partial<CellKey> & { strategy: string };
  alpha?: number;
}

const keyText = (key: CellKey): string => JSON.stringify([key.model, key.strategy, key.variant]);

export function buildReportModel(saved: SavedOutput, options: ReportOptions): ReportModel {
  if (saved.results.length === 0)
    throw new InputError('no result records to report on (a summary alone has no records to show)');
  const models = unique(saved.results.map((result) => result.model));
  const onlyModel = models.length === 1 ? models[0]! : '';
  const keyOf = (entry: { model?: string | null; strategy: string; variant?: unknown }): CellKey => ({
    model: entry.model ?? onlyModel,
    strategy: entry.strategy,
    variant: typeof entry.variant === 'string' ? entry.variant : null,
  });

  // Cells in the order the run listed them (its summaries), then any the summaries did not name.
  const withResults = new Set(saved.results.map((result) => keyText(keyOf(result))));
  const keys = new Map<string, CellKey>();
  for (const entry of [...saved.summaries, ...saved.results]) {
    const key = keyOf(entry);
    if (withResults.has(keyText(key))) keys.set(keyText(key), key);
  }
  const cellKeys = [...keys.values()];
  const resultsByCell = new Map<string, ResultRecord[]>(cellKeys.map((key) => [keyText(key), []]));
  for (const result of saved.results) resultsByCell.get(keyText(keyOf(result)))!.push(result);

  const baseline = baselineIndex(cellKeys, saved, options, keyOf);
  const alpha = options.alpha ?? saved.alpha ?? defaultAlpha;
  const accumulators = cellKeys.map((key) => {
    const accumulator = createSummaryAccumulator(key.strategy);
    for (const result of resultsByCell.get(keyText(key))!) accumulator.add(result);
    return accumulator;
  });
  const baselineCorrectness = accumulators[baseline]!.correctness();
  const priced = cellKeys.every((key) => options.prices.has(key.model));
  const notes: string[] = [];
  const unpriced = unique(cellKeys.map((key) => key.model).filter((model) => !options.prices.has(model)));
  if (options.prices.size > 0 && unpriced.length > 0)
    notes.push(`no price for ${unpriced.join(', ')}: the chart shows tokens per record, not cost`);
  for (const model of options.prices.keys())
    if (!models.includes(model)) notes.push(`--price ${model}: no result in this file is from that model`);

  const judge = recordedJudge(options.answer, options.match);
  const cells = cellKeys.map((key, index): Omit<CellReport, 'onParetoFront'> => {
    const results = resultsByCell.get(keyText(key))!;
    const summary = accumulators[index]!.finish();
    const paired =
      index === baseline ? null : pairedComparison(baselineCorrectness, accumulators[index]!.correctness());
    const price = options.prices.get(key.model);
    const voted = results.some((result) => result.votes !== undefined);
    const label = labelOf(key, models.length > 1);
    if (voted) {
      const misjudged = judgeDisagreements(results, options.answer, options.match);
      if (misjudged > 0)
        notes.push(
          `${label}: --answer/--match score ${misjudged} of ${results.length} recorded answers differently from the run; pass the run's --answer and --match so votes over fewer samples are judged the same way`,
        );
    }
    return {
      key,
      label,
      summary,
      vsBaseline: paired === null ? null : { ...paired, significant: paired.pValue < alpha },
      tokensPerRecord: summary.n > 0 ? summary.usage.totalTokens / summary.n : 0,
      costPerRecord:
        price === undefined || summary.n === 0
          ? null
          : results.reduce((sum, result) => sum + costOf(result.usage, price), 0) / summary.n,
      bySamples: voted ? accuracyBySamples(results, judge, options.answer) : null,
      byAgreement: voted ? accuracyByAgreement(results) : null,
    };
  });
  const costAxis = priced ? 'usd' : 'tokens';
  const front = paretoFront(
    cells.map((cell) => ({
      cost: (costAxis === 'usd' ? cell.costPerRecord : cell.tokensPerRecord) ?? 0,
      accuracy: cell.summary.accuracy ?? Number.NEGATIVE_INFINITY,
    })),
  );
  return {
    cells: cells.map((cell, index) => ({ ...cell, onParetoFront: front[index]! && cell.summary.accuracy !== null })),
    baseline,
    alpha,
    costAxis,
    models,
    templates: unique(saved.results.map((result) => result.template).filter(Boolean)),
    records: recordRows(saved.results, cellKeys, keyOf),
    notes,
  };
}

function baselineIndex(
  keys: readonly CellKey[],
  saved: SavedOutput,
  options: ReportOptions,
  keyOf: (entry: { model?: string | null; strategy: string; variant?: unknown }) => CellKey,
): number {
  // An unnamed model or variant (undefined) matches any; a variant of null is the strategy's own setting.
  const matches = (wanted: Partial<CellKey> & { strategy: string }) => (key: CellKey) =>
    key.strategy === wanted.strategy &&
    (wanted.model == null || key.model === wanted.model) &&
    (wanted.variant === undefined || key.variant === wanted.variant);
  if (options.baseline !== undefined) {
    const chosen = keys.findIndex(matches(options.baseline));
    if (chosen !== -1) return chosen;
  }
  // The run's own choice: the summary it did not compare with anything, or the one the others name.
  const unpaired = saved.summaries.find((entry) => entry.vsBaseline === undefined);
  const named = saved.summaries.find((entry) => entry.vsBaseline !== undefined)?.vsBaseline;
  for (const wanted of [unpaired === undefined ? undefined : keyOf(unpaired), named]) {
    if (wanted == null) continue;
    const found = keys.findIndex(
      matches({ strategy: wanted.strategy, model: wanted.model ?? undefined, variant: wanted.variant ?? undefined }),
    );
    if (found !== -1) return found;
  }
  return 0;
}

function labelOf(key: CellKey, withModel: boolean): string {
  const name = key.variant ?? key.strategy;
  return withModel ? `${key.model} · ${name}` : name;
}

function recordRows(
  results: readonly ResultRecord[],
  keys: readonly CellKey[],
  keyOf: (entry: ResultRecord) => CellKey,
): RecordRow[] {
  const column = new Map(keys.map((key, index) => [keyText(key), index]));
  const rows = new Map<string, RecordRow>();
  for (const result of results) {
    let row = rows.get(result.id);
    if (row === undefined) {
      row = {
        id: result.id,
        vars: result.vars,
        expected: result.expected,
        outcomes: keys.map(() => null),
        disagree: false,
        wrong: false,
        failed: false,
      };
      rows.set(result.id, row);
    }
    row.outcomes[column.get(keyText(keyOf(result)))!] = {
      answer: result.answer,
      correct: result.correct,
      error: result.error,
      completions: result.completions,
      votes: result.votes ?? null,
      agreement: result.agreement ?? null,
      samplesUsed: result.samplesUsed,
      warnings: Array.isArray(result.warnings) ? result.warnings : [],
    };
  }
  return [...rows.values()].map((row) => {
    const present = row.outcomes.filter((outcome) => outcome !== null);
    return {
      ...row,
      disagree: new Set(present.map((outcome) => outcome.answer)).size > 1,
      wrong: present.some((outcome) => outcome.correct === false),
      failed: present.some((outcome) => outcome.error !== null || outcome.answer === null),
    };
  });
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
