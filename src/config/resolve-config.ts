/**
 * Endpoint and run settings, resolved once from flags, environment and the config file into one frozen
 * object. Pure: everything it reads comes in through its argument.
 *
 * Precedence, most specific first:
 *   1. flags (`--base-url`, `--model`, `--api-key`, ...)
 *   2. the named endpoint chosen with `--endpoint NAME` — picking one on the command line is as explicit as
 *      a flag, so it must beat an OPENAI_BASE_URL exported in the shell, or `--endpoint` would do nothing there
 *   3. environment (`OPENAI_BASE_URL`, `OPENAI_API_KEY`, `PROMPTLAB_MODEL`, `PROMPTLAB_HOME`)
 *   4. the named endpoint chosen by the file's own `endpoint` key
 *   5. the file's top level
 *   6. defaults
 * The API key is the one exception: a file never holds a key, only `apiKeyEnv`, the name of a variable
 * that does. That name is more specific than the catch-all OPENAI_API_KEY, so when the chosen endpoint
 * (or the top level) names one, the key is read from it alone — an OpenAI key is never sent to the Groq
 * endpoint just because it happens to be exported. `--api-key ""` means "send no key".
 */
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { ConfigFile } from './parse-config-file.js';
import { isHttpUrl, numericSettings, type NumericSetting, type NumericSettingName } from './setting-rules.js';

export interface ResolvedConfig {
  baseUrl: string;
  /** null: send no key (local servers). */
  apiKey: string | null;
  model: string | null;
  /** null: the strategy's own default (0, or 0.7 for self-consistency). */
  temperature: number | null;
  maxTokens: number | null;
  seed: number | null;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  maxRetryWaitMs: number;
  cache: { enabled: boolean; dir: string };
  configPath: string | null;
}

/** Raw flag values as commander gives them: strings, undefined when not given. */
export interface EndpointFlags {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  model?: string | undefined;
  endpoint?: string | undefined;
  temperature?: string | undefined;
  maxTokens?: string | undefined;
  seed?: string | undefined;
  concurrency?: string | undefined;
  timeout?: string | undefined;
  retries?: string | undefined;
  maxRetryWait?: string | undefined;
  /** `--cache` gives true, `--cache DIR` the dir, `--no-cache` false. */
  cache?: string | boolean | undefined;
}

export interface ResolveConfigInput {
  flags: EndpointFlags;
  env: Record<string, string | undefined>;
  file: ConfigFile | null;
  homeDir: string;
}

export const defaultBaseUrl = 'https://api.openai.com/v1';

const defaults = { concurrency: 8, timeoutSeconds: 300, retries: 2, maxRetryWaitSeconds: 60 };

/** setTimeout fires at once for delays past 2^31-1 ms, so longer timeouts are clamped rather than broken. */
const longestTimerMs = 2 ** 31 - 1;

export function resolveConfig({ flags, env, file, homeDir }: ResolveConfigInput): ResolvedConfig {
  const top = file?.data;
  const chosen = chooseEndpoint(flags, file);
  const flagEndpoint = chosen?.by === 'flag' ? chosen.endpoint : undefined;
  const fileEndpoint = chosen?.by === 'file' ? chosen.endpoint : undefined;

  const numeric = (name: NumericSettingName): number | undefined =>
    flags[name] !== undefined ? parseNumericFlag(name, flags[name]) : top?.[name];

  const promptlabHome =
    nonEmpty(env.PROMPTLAB_HOME) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homeDir, '.cache'), 'promptlab');

  return Object.freeze({
    baseUrl: withoutTrailingSlash(
      checkedUrl(flags.baseUrl, (got) => new UsageError(`--base-url must be an http(s) URL, got "${got}"`)) ??
        flagEndpoint?.baseUrl ??
        checkedUrl(
          nonEmpty(env.OPENAI_BASE_URL),
          (got) => new ConfigError(`OPENAI_BASE_URL must be an http(s) URL, got "${got}"`),
        ) ??
        fileEndpoint?.baseUrl ??
        top?.baseUrl ??
        defaultBaseUrl,
    ),
    apiKey: resolveApiKey(flags, env, chosen?.endpoint.apiKeyEnv ?? top?.apiKeyEnv, file?.path ?? 'the config file'),
    model:
      nonEmptyFlag(flags.model, '-m/--model') ??
      flagEndpoint?.model ??
      nonEmpty(env.PROMPTLAB_MODEL) ??
      fileEndpoint?.model ??
      top?.model ??
      null,
    temperature: numeric('temperature') ?? null,
    maxTokens: numeric('maxTokens') ?? null,
    seed: numeric('seed') ?? null,
    concurrency: numeric('concurrency') ?? defaults.concurrency,
    timeoutMs: Math.max(1, secondsToTimerMs(numeric('timeout') ?? defaults.timeoutSeconds)),
    retries: numeric('retries') ?? defaults.retries,
    maxRetryWaitMs: secondsToTimerMs(numeric('maxRetryWait') ?? defaults.maxRetryWaitSeconds),
    cache: Object.freeze(resolveCache(flags.cache, file, join(promptlabHome, 'cache'))),
    configPath: file?.path ?? null,
  });
}

type NamedEndpoint = NonNullable<ConfigFile['data']['endpoints']>[string];

function chooseEndpoint(
  flags: EndpointFlags,
  file: ConfigFile | null,
): { by: 'flag' | 'file'; endpoint: NamedEndpoint } | null {
  const name = nonEmptyFlag(flags.endpoint, '--endpoint') ?? file?.data.endpoint;
  if (name === undefined) return null;
  const endpoints = file?.data.endpoints ?? {};
  const endpoint = Object.hasOwn(endpoints, name) ? endpoints[name] : undefined;
  if (endpoint !== undefined) return { by: flags.endpoint !== undefined ? 'flag' : 'file', endpoint };

  const known = Object.keys(endpoints);
  const where = flags.endpoint !== undefined ? '--endpoint' : `${file?.path}: endpoint`;
  const choices = known.length > 0 ? `known endpoints: ${known.join(', ')}` : 'the config file defines no endpoints';
  if (file === null)
    throw new ConfigError(`${where}: unknown endpoint "${name}": no promptlab.config.json or .yaml was found`);
  throw new ConfigError(`${where}: unknown endpoint "${name}" (${choices} in ${file.path})`);
}

function resolveApiKey(
  flags: EndpointFlags,
  env: ResolveConfigInput['env'],
  apiKeyEnv: string | undefined,
  filePath: string,
): string | null {
  if (flags.apiKey !== undefined) return flags.apiKey === '' ? null : flags.apiKey;
  if (apiKeyEnv !== undefined) {
    const key = nonEmpty(env[apiKeyEnv]);
    // The file says where the key is: a variable that is not set is a mistake, not "no key".
    if (key === undefined)
      throw new ConfigError(
        `${filePath}: apiKeyEnv names ${apiKeyEnv}, which is not set in the environment (set it, or give --api-key)`,
      );
    return key;
  }
  return nonEmpty(env.OPENAI_API_KEY) ?? null;
}

function resolveCache(
  flag: EndpointFlags['cache'],
  file: ConfigFile | null,
  defaultDir: string,
): ResolvedConfig['cache'] {
  if (flag === false) return { enabled: false, dir: defaultDir };
  if (typeof flag === 'string' && flag !== '') return { enabled: true, dir: flag };
  if (flag === true || flag === '') return { enabled: true, dir: fileCacheDir(file) ?? defaultDir };
  const fromFile = file?.data.cache;
  if (fromFile === undefined || fromFile === false) return { enabled: false, dir: defaultDir };
  return { enabled: true, dir: fileCacheDir(file) ?? defaultDir };
}

/** A dir written in the config file is relative to that file, not to wherever the command runs. */
function fileCacheDir(file: ConfigFile | null): string | undefined {
  const dir = file?.data.cache;
  if (typeof dir !== 'string') return undefined;
  return isAbsolute(dir) ? dir : join(dirname(file?.path ?? ''), dir);
}

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A numeric setting's value as a flag gives it (or a file, as a number); `label` names it in the error. */
export function parseNumericFlag(name: NumericSettingName, raw: string | number, label?: string): number {
  const setting: NumericSetting = numericSettings[name];
  const text = String(raw);
  const value = numberPattern.test(text.trim()) ? Number(text) : Number.NaN;
  if (!setting.accepts(value))
    throw new UsageError(`${label ?? setting.flag} must be ${setting.description}, got "${text}"`);
  return value;
}

function checkedUrl(value: string | undefined, failure: (got: string) => Error): string | undefined {
  if (value === undefined) return undefined;
  if (!isHttpUrl(value)) throw failure(value);
  return value;
}

function nonEmptyFlag(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return value;
}

/** An exported-but-empty variable counts as unset, as shells treat it. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function secondsToTimerMs(seconds: number): number {
  return Math.min(Math.round(seconds * 1000), longestTimerMs);
}
