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
import { answerMatches } from './match-answer.js';

const expectedSchema = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)])
  .nullish();

const recordedCompletion = z.union([
  z.string(),
  z.looseObject({ text: z.string().nullable(), answerStep: z.string().optional(), finishReason: z.string().nullish() }),
]);

// Lenient: recordings come from other tools with their own extra fields; only what we read is checked.
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
});

export interface ScoreOptions {
  answer: AnswerSpec;
  pick: Pick;
  match: MatchMode;
  /** Use only the first K recorded samples. */
  maxSamples: number | null;
  stop: StopRule;
}

export function scoreRecordedLine(value: unknown, source: string, line: number, options: ScoreOptions): ResultRecord {
  const parsed = recordedSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${source}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
  }
  const recorded = parsed.data;
  const texts = recordedTexts(recorded);
  if (texts === null) throw new InputError(`${source}: needs "completion" (a string) or "completions" (a list)`);
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
    ...(available.length > 1 ? { votes: vote.votes, agreement: vote.agreement } : {}),
    samplesUsed: used,
    usage: zeroUsage(),
    requests: 0,
    latencyMs: 0,
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
