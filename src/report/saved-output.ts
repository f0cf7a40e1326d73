/**
 * Reading a saved run or compare output for the report: a `compare --json` document, `compare --jsonl`
 * lines (result records, then `promptlab.summary/v1` lines), a strategy run's `--json` document or its
 * `--jsonl` result records. Pure: it takes the file's text. Lenient beyond the fields it reads, so files
 * written by newer versions (with `model` and `variant` on summaries, `via` on completions) still load;
 * a result's `fingerprint` (what made it, for --resume) and `usageEstimated` pass through unread.
 */
import { z } from 'zod';
import { resultSchemaId, summarySchemaId, type ResultRecord } from '../core/records.js';
import { resultLineSchema } from '../core/result-line.js';
import { InputError } from '../errors.js';

/** What the report reads of a saved summary entry: which cell it is, and which cell was its baseline. */
const savedSummarySchema = z.looseObject({
  strategy: z.string(),
  model: z.string().nullish(),
  variant: z.string().nullish(),
  vsBaseline: z
    .looseObject({ strategy: z.string(), model: z.string().nullish(), variant: z.string().nullish() })
    .optional(),
});

export interface SavedSummary {
  strategy: string;
  model?: string | null | undefined;
  variant?: string | null | undefined;
  vsBaseline?: { strategy: string; model?: string | null | undefined; variant?: string | null | undefined } | undefined;
}

export interface SavedOutput {
  results: ResultRecord[];
  /** Summary entries as saved (compare's `strategies`, summary lines, a run's `summary`). */
  summaries: SavedSummary[];
  /** The significance level the run used, when it says. */
  alpha: number | null;
}

/**
 * Reads the text of a saved output. A whole-document JSON file is tried first (a `--json` document spans
 * many lines); otherwise each non-blank line must be a JSON value. `label` names the file in errors.
 */
export function readSavedOutput(text: string, label: string): SavedOutput {
  const whole = parseWhole(text);
  const output: SavedOutput = { results: [], summaries: [], alpha: null };
  if (whole !== undefined && isLine(whole)) {
    // A strategy run on one input prints that one record as its document; a file may hold one line.
    readLine(whole, label, output);
  } else if (whole !== undefined && !Array.isArray(whole)) {
    readDocument(whole, label, output);
  } else {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      readLine(parseLine(line, `${label}:${index + 1}`), `${label}:${index + 1}`, output);
    });
  }
  if (output.results.length === 0 && output.summaries.length === 0)
    throw new InputError(`${label}: no result records or summaries (expected the output of compare or a strategy run)`);
  return { ...output, results: lastOfEach(output.results) };
}

function parseWhole(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new InputError(`${where}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

const schemaOf = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;

const isLine = (value: unknown): boolean => schemaOf(value) === resultSchemaId || schemaOf(value) === summarySchemaId;

function readDocument(value: unknown, label: string, output: SavedOutput): void {
  const document = z
    .looseObject({
      schema: z.string().optional(),
      alpha: z.number().optional(),
      strategies: z.array(z.unknown()).optional(),
      summary: z.unknown().optional(),
      results: z.array(z.unknown()).optional(),
    })
    .safeParse(value);
  if (!document.success || (document.data.results === undefined && document.data.strategies === undefined))
    throw new InputError(
      `${label}: not a promptlab output (expected a compare or run --json document, or JSON lines of result records)`,
    );
  const { alpha, strategies, summary, results } = document.data;
  output.alpha = alpha ?? null;
  strategies?.forEach((entry, index) => {
    output.summaries.push(parsed(savedSummarySchema, entry, `${label}: strategies[${index}]`));
  });
  if (summary !== undefined && strategies === undefined) {
    // A run's summary names its strategy; the document's own `strategy` stands in where it does not.
    const { strategy } = value as { strategy?: unknown };
    const named = typeof summary === 'object' && summary !== null ? { strategy, ...summary } : summary;
    output.summaries.push(parsed(savedSummarySchema, named, `${label}: summary`));
  }
  results?.forEach((entry, index) => {
    output.results.push(parsed(resultLineSchema, entry, `${label}: results[${index}]`));
  });
}

function readLine(value: unknown, where: string, output: SavedOutput): void {
  const schema = schemaOf(value);
  if (schema === summarySchemaId) output.summaries.push(parsed(savedSummarySchema, value, where));
  else if (schema === resultSchemaId) output.results.push(parsed(resultLineSchema, value, where));
  else throw new InputError(`${where}: not a ${resultSchemaId} record or a ${summarySchemaId} line`);
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InputError(`${where}: ${issue.path.join('.') || 'value'}: ${issue.message}`);
}

/**
 * A resumed file may hold a record twice (an errored try, then the one that answered): the later line is
 * what the run ended with, as the summary it wrote counts it.
 */
function lastOfEach(results: ResultRecord[]): ResultRecord[] {
  const byKey = new Map<string, ResultRecord>();
  for (const result of results) {
    const key = JSON.stringify([result.id, result.model, result.strategy, result.variant ?? null]);
    // Map.set keeps the first line's place in the order and takes the later line's value.
    byKey.set(key, result);
  }
  return [...byKey.values()];
}
