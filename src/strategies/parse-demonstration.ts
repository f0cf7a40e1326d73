/**
 * Validating a demonstration as read from a JSONL file (examples, pools), with zod. Apart from
 * demonstrations.ts so that strategies which take no demonstrations file never load zod.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { Demonstration } from './demonstrations.js';
import { demonstrationFields } from '../templates/template-settings.js';

const demonstrationSchema = z
  .object(demonstrationFields)
  // Pools are often other datasets with extra columns: keep them lenient, but `input`/`output` must be there.
  .passthrough();

/** Validates one parsed JSONL value as a demonstration; the error names file:line and the field. */
export function parseDemonstration(value: unknown, source: string): Demonstration {
  const parsed = demonstrationSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'record';
    // zod 4 issues do not carry the input, so look in the value itself for whether the field is there at all.
    const missing = isObject(value) && issue.path.length === 1 && value[String(issue.path[0])] === undefined;
    const problem = !isObject(value)
      ? 'not a JSON object'
      : missing
        ? `missing "${field}"`
        : `"${field}": ${issue.message}`;
    throw new InputError(`${source}: ${problem} (a demonstration needs "input" and "output")`);
  }
  const { id, input, output, reasoning } = parsed.data;
  return { id: id ?? null, input, output, reasoning: reasoning ?? null, source };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
