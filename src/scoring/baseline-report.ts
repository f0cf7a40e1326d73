/**
 * The report a --baseline FILE holds: a previous `compare --json` report, read and validated with zod.
 * Loaded only when --baseline is given.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { compareSchemaId } from './compare-report.js';

/**
 * A previous `compare --json` report. Lenient on extra fields (older or newer promptlab versions add
 * some, and users may annotate the file); strict on what the comparison reads.
 */
export const baselineReportSchema = z.looseObject({
  schema: z.literal(compareSchemaId),
  strategies: z.array(
    z.looseObject({
      strategy: z.string(),
      // Reports written before models and variants were recorded have neither.
      model: z.string().nullish(),
      variant: z.string().nullish(),
      n: z.number().int().nonnegative(),
      correct: z.number().int().nonnegative(),
      accuracy: z.number().min(0).max(1).nullable(),
      scored: z.number().int().nonnegative().optional(),
    }),
  ),
  results: z
    .array(
      z.looseObject({
        id: z.string(),
        strategy: z.string(),
        model: z.string().nullish(),
        variant: z.string().nullish(),
        correct: z.boolean().nullable(),
      }),
    )
    .optional(),
});

export type BaselineReport = z.infer<typeof baselineReportSchema>;

export function parseBaselineReport(text: string, path: string): BaselineReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`--baseline ${path}: not valid JSON (${reason})`, { cause: error });
  }
  const parsed = baselineReportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new InputError(`--baseline ${path}: not a ${compareSchemaId} report${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
