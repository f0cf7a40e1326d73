/**
 * Everything a run needs before the first request, shared by the strategy commands, `compare` and the
 * batch phases: resolved config, template, answer spec, records, strategy setup, the temperature and the
 * (decorated) chat client.
 */
import { homedir } from 'node:os';
import type { AnswerSpec, MatchMode, Pick } from '../core/answer-spec.js';
import type { ChatClient } from '../core/chat-client.js';
import { adaptConcurrency, observeSuccesses, type AdaptiveConcurrency } from '../core/adaptive-concurrency.js';
import { limitConcurrency, Semaphore } from '../core/limit-concurrency.js';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { parseNormalizeSteps, type NormalizeStep } from '../core/normalize-steps.js';
import type { DatasetRecord } from '../core/records.js';
import { findConfigFile } from '../config/config-file.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js';
import { UsageError } from '../errors.js';
import { oneOf } from '../config/flag-values.js';
import type { StrategyDefinition, StrategySetup } from '../strategies/strategy.js';
import {
  loadTemplate,
  projectTemplateDirs,
  type LoadedTemplate,
  type TemplateDirs,
} from '../templates/load-template.js';
import { withSystemMessage } from '../templates/system-message.js';
import { optionFiles, type OptionFiles } from './option-files.js';
import { parseVarFlags } from './parse-vars.js';
import { readDataset } from './read-dataset.js';
import { checkReadable } from './read-lines.js';
import type { ThrottleListener } from './notices.js';

export const defaultTemplateName = 'question';

export async function resolveRunConfig(
  flagValues: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Promise<ResolvedConfig> {
  const file = await findConfigFile(process.cwd());
  return resolveConfig({
    flags: {
      baseUrl: flagValues.baseUrl as string | undefined,
      apiKey: flagValues.apiKey as string | undefined,
      model: flagValues.model as string | undefined,
      endpoint: flagValues.endpoint as string | undefined,
      temperature: flagValues.temperature as string | undefined,
      maxTokens: flagValues.maxTokens as string | undefined,
      seed: flagValues.seed as string | undefined,
      concurrency: flagValues.concurrency as string | undefined,
      timeout: flagValues.timeout as string | undefined,
      retries: flagValues.retries as string | undefined,
      maxRetryWait: flagValues.maxRetryWait as string | undefined,
      cache: flagValues.cache as string | boolean | undefined,
    },
    env,
    file,
    homeDir: homedir(),
  });
}

/**
 * The run's template (-t, else the default), with --system in place of its system message when given.
 * Names are looked up in `dirs` (default: ./prompts/ of the working directory, then the shipped ones).
 */
export async function loadRunTemplate(
  flagValues: Record<string, unknown>,
  dirs: TemplateDirs = projectTemplateDirs(process.cwd()),
): Promise<LoadedTemplate> {
  const template = await loadTemplate((flagValues.template as string | undefined) ?? defaultTemplateName, dirs);
  const system = flagValues.system as string | undefined;
  if (system === undefined) return template;
  if (system.trim() === '') throw new UsageError('--system: give the instruction text (it is empty)');
  return withSystemMessage(template, system);
}

/**
 * --answer beats the template's front matter; with neither, the whole reply is the answer. Then
 * --normalize and --extract-mode (see withAnswerRules).
 */
export function resolveAnswerSpec(flagValues: Record<string, unknown>, template: LoadedTemplate): AnswerSpec {
  const fromFlag = flagValues.answer as string | undefined;
  const spec = parseAnswerSpec(
    fromFlag ?? template.settings.answer ?? 'text',
    fromFlag === undefined ? `template "${template.name}" promptlab.answer` : '--answer',
  );
  const withChoices =
    template.settings.choices !== undefined && spec.type === 'choice'
      ? { ...spec, choices: template.settings.choices }
      : spec;
  // The template's steps belong to the template's answer: a flag that changes the answer type drops them.
  const withRules = withAnswerRules(withChoices, flagValues, template.settings.normalize);
  const defaulted = fromFlag === undefined && template.settings.answer === undefined;
  return {
    ...withRules,
    ...(flagValues.match === 'exact' ? { asExtracted: true } : {}),
    ...(defaulted ? { defaulted } : {}),
  };
}

/**
 * `--normalize STEPS` and `--extract-mode strict|flexible` on top of an answer spec. The steps are a text
 * rule: typed answers have their own canonical form, so asking for steps there is an input error.
 * `templateSteps` (the template's `normalize:`) apply when the flag is absent and the answer is text or regex.
 */
export function withAnswerRules(
  spec: AnswerSpec,
  flagValues: Record<string, unknown>,
  templateSteps?: readonly NormalizeStep[],
): AnswerSpec {
  const extractMode =
    flagValues.extractMode === undefined
      ? undefined
      : oneOf(flagValues.extractMode, '--extract-mode', ['strict', 'flexible'] as const);
  const fromFlag =
    flagValues.normalize === undefined ? undefined : parseNormalizeSteps(String(flagValues.normalize), '--normalize');
  const takesSteps = spec.type === 'text' || spec.type === 'regex';
  if (fromFlag !== undefined && fromFlag.length > 0 && !takesSteps) {
    throw new UsageError(
      `--normalize: applies to text and regex answers; --answer ${spec.type} has its own canonical form`,
    );
  }
  const normalize = fromFlag ?? (takesSteps ? templateSteps : undefined);
  return {
    ...spec,
    ...(normalize === undefined || normalize.length === 0 ? {} : { normalize: [...normalize] }),
    ...(extractMode === undefined ? {} : { extractMode }),
  };
}

export function resolvePick(flagValues: Record<string, unknown>): Pick | null {
  return flagValues.pick === undefined ? null : oneOf(flagValues.pick, '--pick', ['first', 'last'] as const);
}

export function resolveMatch(flagValues: Record<string, unknown>): MatchMode {
  return oneOf(flagValues.match ?? 'normalized', '--match', ['exact', 'numeric', 'normalized'] as const);
}

/**
 * The records to run: the dataset, or one record from the positional text or piped stdin. Each dataset
 * record is checked against every template the run renders (a variant may bring its own).
 */
export async function openRecords(
  flagValues: Record<string, unknown>,
  positional: string | undefined,
  templates: LoadedTemplate | readonly LoadedTemplate[],
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<{ records: AsyncIterable<DatasetRecord>; single: boolean }> {
  const sharedVars = await parseVarFlags(flagValues.var as string[] | undefined, flagValues.vars as string | undefined);
  const dataset = flagValues.dataset as string | undefined;
  if (dataset !== undefined) {
    if (positional !== undefined) throw new UsageError('give either an input text or --dataset, not both');
    await checkReadable(dataset, '--dataset');
    const checked = [...new Set(Array.isArray(templates) ? templates : [templates as LoadedTemplate])];
    const checkRecord = (record: DatasetRecord) => {
      for (const template of checked) template.checkVariables(record.vars, record.source);
    };
    return { records: readDataset(dataset, { sharedVars, checkRecord, stdin }), single: false };
  }
  let input = positional;
  let stdinWasEmpty = false;
  if (input === undefined && !stdin.isTTY) {
    const piped = (await readStdin(stdin)).replace(/\r?\n$/, '');
    // An empty pipe (`< /dev/null`, a CI step with nothing piped in) is no input, not an empty prompt to pay for.
    if (piped.trim() === '') stdinWasEmpty = true;
    else input = piped;
  }
  if (input === undefined && Object.keys(sharedVars).length === 0) {
    throw new UsageError(
      `no input: pass the text as an argument, pipe it on stdin${stdinWasEmpty ? ' (stdin was empty)' : ''}, or use --dataset FILE`,
    );
  }
  const vars = input === undefined ? sharedVars : { ...sharedVars, input };
  return { records: oneRecord({ id: 'input', vars, expected: null, source: 'the input', index: 0 }), single: true };
}

async function* oneRecord(record: DatasetRecord): AsyncGenerator<DatasetRecord> {
  yield record;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** `files`: the run's option files, shared with its fingerprint (jobFingerprint) and its other jobs. */
export function strategySetup(
  template: LoadedTemplate,
  answer: AnswerSpec,
  pick: Pick | null,
  config: ResolvedConfig,
  warn: (message: string) => void,
  templateDirs: TemplateDirs = projectTemplateDirs(process.cwd()),
  files: OptionFiles = optionFiles(),
): StrategySetup {
  return {
    template,
    answer,
    pick,
    seed: config.seed,
    loadTemplate: (name) => loadTemplate(name, templateDirs),
    // Only the strategies that take demonstrations read them (and load their zod schema).
    readDemonstrations: async (path, flag) =>
      (await import('./read-demonstrations.js')).readDemonstrations(path, flag, files),
    readTextFile: async (path, flag) => (await files.read(path, flag)).bytes.toString('utf8'),
    warn,
  };
}

export function requireModel(config: ResolvedConfig): string {
  if (config.model === null)
    throw new UsageError('no model: pass --model NAME, set PROMPTLAB_MODEL, or put "model" in promptlab.config.json');
  return config.model;
}

/**
 * The endpoint client, with the run's concurrency limit around it (adapting to throttling: see
 * adaptive-concurrency.ts) and the cache (when on) around that.
 */
export async function createRunClient(
  config: ResolvedConfig,
  model: string,
  onThrottle: ThrottleListener,
  replay: boolean,
): Promise<{ client: ChatClient; throttling: AdaptiveConcurrency }> {
  const { clients, throttling } = await createEndpointClients(config, [{ model, cacheAs: model }], onThrottle, replay);
  return { client: clients[0]!, throttling };
}

/**
 * One client per model served by one endpoint, all behind the endpoint's one concurrency limit (-c, adapting
 * to its throttling), each with the cache around it when it is on. `cacheAs` is the model's name in cache
 * keys: the model itself, so a mirror serves the same cache, or `ENDPOINT:MODEL` where a run compares
 * endpoints serving one model, so neither replays the other's answers.
 */
export async function createEndpointClients(
  config: ResolvedConfig,
  models: ReadonlyArray<{ model: string; cacheAs: string }>,
  onThrottle: ThrottleListener,
  replay: boolean,
): Promise<{ clients: ChatClient[]; throttling: AdaptiveConcurrency }> {
  const { createOpenAIChatClient } = await import('../core/openai-client.js');
  const semaphore = new Semaphore(config.concurrency);
  const throttling = adaptConcurrency(semaphore);
  const cached = config.cache.enabled || replay;
  const cache = cached
    ? {
        withCache: (await import('../core/cached-client.js')).withCache,
        store: (await import('./file-cache-store.js')).createFileCacheStore(config.cache.dir),
      }
    : null;
  const clients = models.map(({ model, cacheAs }) => {
    const endpointClient = createOpenAIChatClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      model,
      timeoutMs: config.timeoutMs,
      maxRetries: config.retries,
      maxRetryWaitMs: config.maxRetryWaitMs,
      onThrottle: (info) => {
        throttling.throttled();
        onThrottle(info.status, info.retryAfterMs);
      },
    });
    const limited = limitConcurrency(observeSuccesses(endpointClient, throttling.succeeded), semaphore);
    if (cache === null) return limited;
    // Cache hits skip the concurrency limit: they cost the endpoint nothing.
    const keyed: ChatClient =
      cacheAs === model
        ? limited
        : {
            model: cacheAs,
            chat: (request, signal) => limited.chat(request, signal),
            embed: (texts, signal, embeddingModel) => limited.embed(texts, signal, embeddingModel),
          };
    return cache.withCache(keyed, cache.store, { replay });
  });
  return { clients, throttling };
}

/**
 * The temperature a strategy runs at: --temperature (or env, or the config file), else the strategy's own
 * default. A sampling strategy at temperature 0 draws the same path every time: say so.
 */
export function temperatureFor(
  definition: StrategyDefinition,
  configured: number | null,
  warn: (message: string) => void,
): number {
  const temperature = configured ?? definition.defaultTemperature;
  if (definition.defaultTemperature > 0 && temperature === 0) {
    warn(`${definition.name} at temperature 0 samples the same path every time; use --temperature 0.5–0.7`);
  }
  return temperature;
}
