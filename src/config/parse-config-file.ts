/**
 * Parsing and validating the text of a config file (pure): JSON or YAML, checked against a strict schema.
 * Loaded by config-file.ts only when a config file exists.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { closestKey } from './closest-key.js';
import { isHttpUrl, numericSettings, type NumericSettingName } from './setting-rules.js';

const httpUrl = z.string({ error: 'expected an http(s) URL' }).refine(isHttpUrl, { error: 'expected an http(s) URL' });
/** A setting that must say something; shared with the eval file's schema. */
export const nonEmptyText = z
  .string({ error: 'expected a non-empty string' })
  .min(1, { error: 'expected a non-empty string' });
// Checked as a variable name so that a key pasted here by mistake is refused (and never echoed back).
const envVarName = z
  .string({ error: 'expected the name of an environment variable, like GROQ_API_KEY' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the name of an environment variable, like GROQ_API_KEY' });

/** A numeric setting as a file writes it, by the rules its flag follows; shared with the eval file's schema. */
export function numeric(name: NumericSettingName) {
  const { description, accepts } = numericSettings[name];
  return z.number({ error: `expected ${description}` }).refine(accepts, { error: `expected ${description}` });
}

/**
 * The run settings a config file and an eval file both take, checked alike: the sampling settings, the
 * requests in flight, the SDK's timeout and retries, and the response cache.
 */
export const runSettingFields = {
  temperature: numeric('temperature').optional(),
  maxTokens: numeric('maxTokens').optional(),
  seed: numeric('seed').optional(),
  concurrency: numeric('concurrency').optional(),
  /** Seconds, like the --timeout flag. */
  timeout: numeric('timeout').optional(),
  retries: numeric('retries').optional(),
  /** true, false, or a cache directory (relative to the file). */
  cache: z.union([z.boolean(), nonEmptyText], { error: 'expected true, false or a directory' }).optional(),
};

// USD per million tokens, as providers publish them; the report's cost axis (see src/report/prices.ts).
const usdPerMillion = z
  .number({ error: 'expected USD per million tokens (a number, 0 or more)' })
  .nonnegative({ error: 'expected USD per million tokens (a number, 0 or more)' });
const modelPriceSchema = z.object({ input: usdPerMillion, output: usdPerMillion }).strict();

const namedEndpointSchema = z
  .object({ baseUrl: httpUrl, model: nonEmptyText.optional(), apiKeyEnv: envVarName.optional() })
  .strict();

export const configFileSchema = z
  .object(
    {
      // Lets editors validate a JSON config against a published schema.
      $schema: z.string().optional(),
      baseUrl: httpUrl.optional(),
      model: nonEmptyText.optional(),
      apiKeyEnv: envVarName.optional(),
      ...runSettingFields,
      /** Seconds, like the --max-retry-wait flag. */
      maxRetryWait: numeric('maxRetryWait').optional(),
      /** Name of the entry in `endpoints` used when no --endpoint flag is given. */
      endpoint: nonEmptyText.optional(),
      endpoints: z
        .record(z.string(), namedEndpointSchema, { error: 'expected an object of named endpoints' })
        .optional(),
      /** Model name → { input, output } USD per million tokens (--price MODEL=IN,OUT beats it). */
      prices: z
        .record(z.string(), modelPriceSchema, { error: 'expected model names, each with { input, output }' })
        .optional(),
    },
    { error: 'expected an object of settings' },
  )
  .strict();

export type ConfigFileData = z.infer<typeof configFileSchema>;

export interface ConfigFile {
  /** Absolute path of the file the settings came from. */
  path: string;
  data: ConfigFileData;
}

/** Parses and validates one config file's text; `shownAs` is how errors name the file. */
export function parseConfigFile(text: string, path: string, shownAs: string = path): ConfigFile {
  const raw = path.endsWith('.json') ? parseJson(text, shownAs) : parseYamlText(text, shownAs);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${shownAs}: ${describeIssues(parsed.error.issues)}`);
  return { path, data: parsed.data };
}

function parseJson(text: string, shownAs: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${shownAs}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseYamlText(text: string, shownAs: string): unknown {
  try {
    // An empty YAML file is an empty set of settings, not an error.
    return parseYaml(text) ?? {};
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const position = error.linePos?.[0];
    const where = position ? `${shownAs}:${position.line}:${position.col}` : shownAs;
    const firstLine = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${where}: invalid YAML: ${firstLine}`, { cause: error });
  }
}

/**
 * The first issue, and how many more. An unknown key comes first, and a key it is a typo of is not an
 * issue of its own: `baseURL: …` makes baseUrl missing, and "unknown key "baseURL" (did you mean
 * "baseUrl"?)" says both.
 */
function describeIssues(issues: z.core.$ZodIssue[]): string {
  const typos = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.flatMap((key) => {
          const meant = suggestionFor(issue, key);
          return meant === undefined ? [] : [[...issue.path, meant].join('.')];
        })
      : [],
  );
  const ordered = [
    ...issues.filter((issue) => issue.code === 'unrecognized_keys'),
    ...issues.filter((issue) => issue.code !== 'unrecognized_keys' && !typos.includes(issue.path.join('.'))),
  ];
  const [first] = ordered;
  if (!first) return 'invalid';
  const more = ordered.length > 1 ? ` (and ${ordered.length - 1} more)` : '';
  return `${describeIssue(first)}${more}`;
}

function suggestionFor(issue: z.core.$ZodIssue, key: string): string | undefined {
  const nested = issue.path[0] === 'prices' ? modelPriceSchema : namedEndpointSchema;
  const known = Object.keys(issue.path.length === 0 ? configFileSchema.shape : nested.shape);
  return closestKey(key, known);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  if (issue.code !== 'unrecognized_keys') return `${where}${issue.message}`;
  const key = issue.keys[0] ?? '';
  if (key === 'apiKey') {
    return `${where}"apiKey" is not allowed: keep keys out of files and name the environment variable that holds it with "apiKeyEnv"`;
  }
  const suggestion = suggestionFor(issue, key);
  return `${where}unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
}
