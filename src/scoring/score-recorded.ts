/**
 * Re-scoring recorded outputs without any model: promptlab result files, or plain JSONL with
 * `expected` and `completion` (a string) or `completions` (strings, in sample order) — another tool's
 * logs. Extraction, voting and (simulated) early stopping are the very functions live runs use.
 */
import { z } from 'zod';
import type { AnswerSpec, MatchMode, Pick } from '../core/answer-spec.js';
import { zeroUsage } from '../core/chat-client.js';
import { stoppingPoint, type StopRule } from '../core/early-stopping.js';
import { majorityVote } from '../core/majority-vote.js';
import { answerKey, firstSpelling, readAnswer, readAnswerStep } from '../core/read-answer.js';
import { resultSchemaId, type Completion, type ResultRecord } from '../core/records.js';
import { InputError } from '../errors.js';
import { roundRate } from './json-numbers.js';
import { answerMatches } from './match-answer.js';

const expectedSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)])
  .nullish();

const recordedCompletion = z.union([
  z.string(),
  z.looseObject({ text: z.string().nullable(), answerStep: z.string().optional(), finishReason: z.string().nullish() }),
]);

// Lenient: recordings come from other tools with their own extra fields; only what we read is checked.
const usageSchema = z.looseObject({
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
});

const recordedSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  expected: expectedSchema,
  completion: z.string().nullish(),
  completions: z.array(recordedCompletion).optional(),
  strategy: z.string().optional(),
  model: z.string().optional(),
  variant: z.string().nullish(),
  template: z.string().optional(),
  error: z.string().nullish(),
  // What the recorded run cost, carried into the summary (promptlab's own result files have them).
  usage: usageSchema.optional(),
  requests: z.number().int().nonnegative().optional(),
  latencyMs: z.number().nonnegative().optional(),
});

/** Another tool's names for what `score` reads (lm-evaluation-harness's doc_to_target, ESC's generated_answer). */
export interface RecordedFields {
  /** Holds the expected answer (a value or a list of acceptable ones). */
  expected: string | null;
  /** Holds the completion: a string, or a list of samples in order. */
  completions: string | null;
  id: string | null;
}

const defaultFields: RecordedFields = { expected: null, completions: null, id: null };

/** The lines of a promptlab file that are not results (a compare's summary lines, ...): nothing to score. */
export function isOtherSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const schema = (value as { schema?: unknown }).schema;
  return typeof schema === 'string' && schema !== resultSchemaId;
}

/** The recorded line with the named fields moved to where score reads them; a field named but absent is an error. */
function renameFields(value: unknown, source: string, fields: RecordedFields): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = { ...(value as Record<string, unknown>) };
  const take = (name: string | null, flag: string): unknown => {
    if (name === null) return undefined;
    if (!(name in record)) throw new InputError(`${source}: no field "${name}" (${flag})`);
    return record[name];
  };
  const expected = take(fields.expected, '--expected-field');
  const completions = take(fields.completions, '--completions-field');
  const id = take(fields.id, '--id-field');
  if (fields.expected !== null) record.expected = expected;
  if (fields.completions !== null) {
    delete record.completion;
    delete record.completions;
    if (Array.isArray(completions)) record.completions = completions;
    else record.completion = completions;
  }
  if (fields.id !== null) record.id = id;
  return record;
}

export interface ScoreOptions {
  answer: AnswerSpec;
  pick: Pick;
  match: MatchMode;
  /** Use only the first K recorded samples. */
  maxSamples: number | null;
  stop: StopRule;
  fields?: RecordedFields;
}

export function scoreRecordedLine(value: unknown, source: string, line: number, options: ScoreOptions): ResultRecord {
  const parsed = recordedSchema.safeParse(renameFields(value, source, options.fields ?? defaultFields));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${source}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
  }
  const recorded = parsed.data;
  const texts = recordedTexts(recorded);
  if (texts === null)
    throw new InputError(
      `${source}: needs "completion" (a string) or "completions" (a list); another tool's field names: --completions-field NAME, --expected-field NAME`,
    );
  const limit = Math.min(texts.length, options.maxSamples ?? texts.length);
  const available = texts.slice(0, limit);
  // --match exact scores answers as the papers cleaned them, as live runs do (resolveAnswerSpec).
  const spec = options.match === 'exact' ? { ...options.answer, asExtracted: true } : options.answer;
  const completions: Completion[] = available.map((entry) => {
    // Two-stage recordings keep the answer step apart; it is short and starts with the answer.
    const read =
      entry.answerStep === undefined
        ? readAnswer(entry.text, spec, options.pick)
        : readAnswerStep(entry.answerStep, spec);
    return { text: entry.text, answer: read.answer, via: read.via, finishReason: entry.finishReason };
  });
  const answers = completions.map((completion) => completion.answer);
  const keys = answers.map((answer) => answerKey(answer, spec));
  const used = available.length > 1 ? stoppingPoint(keys, options.stop, limit) : available.length;
  const vote = majorityVote(keys.slice(0, used));
  const answer = firstSpelling(vote.answer, answers, keys);
  const expected =
    recorded.expected === undefined || recorded.expected === null
      ? null
      : Array.isArray(recorded.expected)
        ? recorded.expected.map(String)
        : String(recorded.expected);
  const error = recorded.error ?? null;
  return {
    schema: resultSchemaId,
    id: recorded.id === undefined ? String(line) : String(recorded.id),
    strategy: recorded.strategy ?? (texts.length > 1 ? 'self-consistency' : 'recorded'),
    model: recorded.model ?? '',
    variant: recorded.variant ?? null,
    template: recorded.template ?? '',
    vars: {},
    answer,
    expected,
    correct: expected === null || error !== null ? null : answerMatches(answer, expected, spec, options.match),
    completions,
    ...(available.length > 1
      ? { votes: vote.votes, agreement: vote.agreement === null ? null : roundRate(vote.agreement) }
      : {}),
    samplesUsed: used,
    usage:
      recorded.usage === undefined
        ? zeroUsage()
        : {
            promptTokens: recorded.usage.promptTokens,
            completionTokens: recorded.usage.completionTokens,
            totalTokens: recorded.usage.totalTokens,
          },
    requests: recorded.requests ?? 0,
    latencyMs: recorded.latencyMs ?? 0,
    error,
    warnings: [],
  };
}

function recordedTexts(
  recorded: z.infer<typeof recordedSchema>,
): Array<{ text: string; answerStep?: string; finishReason: string | null }> | null {
  if (recorded.completions !== undefined) {
    return recorded.completions.map((entry) =>
      typeof entry === 'string'
        ? { text: entry, finishReason: null }
        : {
            text: entry.text ?? '',
            ...(entry.answerStep === undefined ? {} : { answerStep: entry.answerStep }),
            finishReason: entry.finishReason ?? null,
          },
    );
  }
  if (typeof recorded.completion === 'string') return [{ text: recorded.completion, finishReason: null }];
  return null;
}
