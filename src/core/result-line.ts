/**
 * A promptlab.result/v1 line as promptlab reads one back: `--resume` keeping a file's results and the
 * HTML report loading saved outputs. Lenient beyond the fields read, so lines written by earlier versions
 * (no `variant`, no `via`) and by newer ones (fields added since) load; what is not read passes through.
 * In a file of its own so only the commands that read results back load zod for it.
 */
import { z } from 'zod';
import { resultSchemaId, type ResultRecord } from './records.js';

const usageSchema = z.looseObject({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() });

export const resultLineSchema = z.looseObject({
  schema: z.literal(resultSchemaId),
  id: z.string(),
  strategy: z.string(),
  model: z.string(),
  // Files written before variants have none: the strategy with its one setting.
  variant: z.string().nullable().catch(null),
  template: z.string().catch(''),
  vars: z.record(z.string(), z.unknown()).catch({}),
  answer: z.string().nullable(),
  expected: z.union([z.string(), z.array(z.string())]).nullable(),
  correct: z.boolean().nullable(),
  completions: z.array(
    z.looseObject({
      text: z.string(),
      answer: z.string().nullable(),
      // Older files have no `via`: how their answers were found was not recorded.
      via: z.enum(['json', 'phrase', 'boxed', 'fallback']).nullable().catch(null),
      finishReason: z.string().nullable().catch(null),
    }),
  ),
  votes: z.record(z.string(), z.number()).optional(),
  agreement: z.number().nullish(),
  samplesUsed: z.number(),
  usage: usageSchema,
  requests: z.number(),
  latencyMs: z.number(),
  error: z.string().nullable(),
  warnings: z.array(z.string()).catch([]),
}) satisfies z.ZodType<ResultRecord>;
