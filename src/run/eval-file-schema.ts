/**
 * The eval file's schema (zod), strict like the config file's: every key is known, or it is an error
 * that names it and the closest known key. A strategy entry is checked against the options its strategy
 * declares (strategies/options.ts) with the very parser its flag uses, and against the settings every
 * job takes (template, system, temperature, maxTokens, answer, normalize, extractMode, pick).
 */
import { z } from 'zod';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { parseNormalizeSteps } from '../core/normalize-steps.js';
import { closestKey } from '../config/closest-key.js';
import { nonEmptyText, numeric, runSettingFields } from '../config/parse-config-file.js';
import { PromptlabError } from '../errors.js';
import { compareFormats } from '../render/compare-formats.js';
import { strategies, findStrategy, strategyNames } from '../strategies/registry.js';
import type { StrategyDefinition } from '../strategies/strategy.js';

const fraction = z
  .number({ error: 'expected a number from 0 to 1' })
  .min(0, { error: 'expected a number from 0 to 1' })
  .max(1, { error: 'expected a number from 0 to 1' });

const answerType = nonEmptyText.superRefine((value, context) => check(context, () => parseAnswerSpec(value, 'answer')));
const normalizeSteps = z
  .union([nonEmptyText, z.array(nonEmptyText)], { error: 'expected steps, as a list or "a,b"' })
  .superRefine((value, context) => check(context, () => parseNormalizeSteps(value, 'normalize')));
const extractMode = z.enum(['strict', 'flexible'], { error: 'expected strict or flexible' });

const datasetSchema = z
  .object({
    /** JSONL or CSV, relative to the eval file. */
    file: nonEmptyText,
    answer: answerType.optional(),
    normalize: normalizeSteps.optional(),
    match: z.enum(['exact', 'numeric', 'normalized'], { error: 'expected exact, numeric or normalized' }).optional(),
    extractMode: extractMode.optional(),
  })
  .strict();

const modelEntrySchema = z.object({ endpoint: nonEmptyText, model: nonEmptyText.optional() }).strict();

const gatesSchema = z
  .object({
    /** One threshold for every cell, or thresholds by `strategy`, `variant` or `model/name`. */
    failUnder: z
      .union([fraction, z.record(z.string(), fraction)], {
        error: 'expected a number from 0 to 1, or thresholds by name ({ cot: 0.8, "model/zero-shot": 0.6 })',
      })
      .optional(),
    /** A previous compare or eval --json report. */
    baseline: nonEmptyText.optional(),
    maxErrors: z
      .union([z.number().int().nonnegative(), nonEmptyText], { error: 'expected a count like 5 or a share like "10%"' })
      .optional(),
    alpha: z
      .number({ error: 'expected a number strictly between 0 and 1' })
      .gt(0, { error: 'expected a number strictly between 0 and 1' })
      .lt(1, { error: 'expected a number strictly between 0 and 1' })
      .optional(),
  })
  .strict();

const outputEntrySchema = z
  .object({
    format: z.enum(compareFormats, { error: `expected one of ${compareFormats.join(', ')}` }).optional(),
    /** Relative to the eval file; none: stdout. */
    path: nonEmptyText.optional(),
  })
  .strict()
  .refine((output) => output.format !== undefined || output.path !== undefined, {
    error: 'give a format, a path, or both',
  });

/** The settings every strategy entry may carry, whatever its strategy: how its job is prepared. */
const jobSettings = {
  template: nonEmptyText,
  system: nonEmptyText,
  temperature: numeric('temperature'),
  maxTokens: numeric('maxTokens'),
  answer: answerType,
  normalize: normalizeSteps,
  extractMode,
  pick: z.enum(['first', 'last'], { error: 'expected first or last' }),
} satisfies Record<string, z.ZodType>;

/** A variant's name: a word of its own (no `/`, `=` or `,`: --fail-under and tables spell cells with them). */
const variantName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const strategyEntrySchema = z.union(
  [nonEmptyText, z.looseObject({ strategy: nonEmptyText, name: nonEmptyText.optional() })],
  { error: 'expected a strategy name, or { strategy: NAME, name: VARIANT, ...its options }' },
);

/** One entry of `strategies:`: a strategy's name, or a strategy with options of its own (a variant when named). */
function checkStrategyEntry(entry: z.infer<typeof strategyEntrySchema>, context: z.RefinementCtx): void {
  const strategy = typeof entry === 'string' ? entry : entry.strategy;
  const definition = findStrategy(strategy);
  if (definition === undefined) {
    const suggestion = closestKey(strategy, strategyNames());
    context.addIssue({
      code: 'custom',
      path: typeof entry === 'string' ? [] : ['strategy'],
      message: `unknown strategy "${strategy}" (${suggestion ? `did you mean "${suggestion}"? ` : ''}known: ${strategyNames().join(', ')})`,
    });
    return;
  }
  if (typeof entry === 'string') return;
  if (entry.name !== undefined) {
    if (!variantName.test(entry.name))
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: `"${entry.name}": a variant's name is letters, digits, ".", "_" and "-", starting with a letter or digit`,
      });
    else if (strategyNames().includes(entry.name))
      context.addIssue({
        code: 'custom',
        path: ['name'],
        message: `"${entry.name}" is a strategy's name; give the variant a name of its own`,
      });
  }
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'strategy' || key === 'name') continue;
    const setting = (jobSettings as Record<string, z.ZodType>)[key];
    if (setting !== undefined) {
      const parsed = setting.safeParse(value);
      if (!parsed.success)
        context.addIssue({ code: 'custom', path: [key], message: parsed.error.issues[0]?.message ?? 'invalid' });
      continue;
    }
    const option = definition.options[key];
    if (option === undefined) {
      context.addIssue({ code: 'custom', path: [key], message: unknownOption(key, definition) });
      continue;
    }
    const scalar = ['string', 'number', 'boolean'].includes(typeof value);
    const listOfText =
      option.repeatable === true && Array.isArray(value) && value.every((item) => typeof item === 'string');
    if (!scalar && !listOfText) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: option.repeatable ? 'expected a value or a list of values' : 'expected a single value',
      });
      continue;
    }
    check(context, () => option.parse(value, key), [key]);
  }
}

/** "unknown key", with the closest key this strategy takes, or the strategy that takes it. */
function unknownOption(key: string, definition: StrategyDefinition): string {
  const owners = strategies.filter((other) => key in other.options).map((other) => other.name);
  if (owners.length > 0) return `unknown key "${key}": an option of ${owners.join(', ')}, not of ${definition.name}`;
  const known = ['strategy', 'name', ...Object.keys(jobSettings), ...Object.keys(definition.options)];
  const suggestion = closestKey(key, known);
  if (suggestion !== undefined) return `unknown key "${key}" (did you mean "${suggestion}"?)`;
  return `unknown key "${key}" (${definition.name} takes: ${known.join(', ')})`;
}

/** A parser's error (UsageError, InputError) as an issue at `path`, its leading label dropped. */
function check(context: z.RefinementCtx, parse: () => unknown, path: PropertyKey[] = []): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof PromptlabError)) throw error;
    const label = path.length > 0 ? String(path.at(-1)) : '';
    const message = error.message.replace(new RegExp(`^(${escapeRegExp(label)}|answer|normalize):? `), '');
    context.addIssue({ code: 'custom', path: path as (string | number)[], message });
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const evalFileSchema = z
  .object(
    {
      // Lets editors validate the file against a published schema.
      $schema: z.string().optional(),
      description: z.string().optional(),
      dataset: datasetSchema,
      /** The template every strategy renders unless an entry names its own. */
      template: nonEmptyText.optional(),
      system: nonEmptyText.optional(),
      models: z
        .array(
          z.union([nonEmptyText, modelEntrySchema], { error: 'expected MODEL, ENDPOINT:MODEL or { endpoint, model }' }),
        )
        .min(1, { error: 'name at least one model (or leave models out for the configured one)' })
        .optional(),
      strategies: z
        .array(strategyEntrySchema.superRefine(checkStrategyEntry))
        .min(1, { error: 'name at least one strategy' }),
      baselineStrategy: nonEmptyText.optional(),
      baselineModel: nonEmptyText.optional(),
      gates: gatesSchema.optional(),
      outputs: z
        .array(
          z.union(
            [z.enum(compareFormats, { error: `expected one of ${compareFormats.join(', ')}` }), outputEntrySchema],
            {
              error: `expected a format (${compareFormats.join(', ')}) or { format, path }`,
            },
          ),
        )
        .min(1, { error: 'name at least one output (or leave outputs out for the default)' })
        .optional(),
      ...runSettingFields,
    },
    { error: 'expected an object of settings' },
  )
  .strict();

export type EvalFileData = z.infer<typeof evalFileSchema>;

/** The keys an object at `path` may hold, for "did you mean" (strategy entries say their own). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(evalFileSchema.shape);
  switch (path[0]) {
    case 'dataset':
      return Object.keys(datasetSchema.shape);
    case 'gates':
      return Object.keys(gatesSchema.shape);
    case 'models':
      return Object.keys(modelEntrySchema.shape);
    case 'outputs':
      return ['format', 'path'];
    default:
      return [];
  }
}
