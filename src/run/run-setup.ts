/**
 * Everything a run needs before the first request, shared by the strategy commands, `compare` and the
 * batch phases: resolved config, template, answer spec, records, strategy setup, the temperature and the
 * (decorated) chat client.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { AnswerSpec, MatchMode, Pick } from '../core/answer-spec.js';
import type { ChatClient } from '../core/chat-client.js';
import { adaptConcurrency, observeSuccesses, type AdaptiveConcurrency } from '../core/adaptive-concurrency.js';
import { limitConcurrency, Semaphore } from '../core/limit-concurrency.js';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import type { DatasetRecord } from '../core/records.js';
import { findConfigFile } from '../config/config-file.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js';
import { InputError, UsageError } from '../errors.js';
import { oneOf } from '../config/flag-values.js';
import type { StrategyDefinition, StrategySetup } from '../strategies/strategy.js';
import { loadTemplate, projectTemplateDirs, type LoadedTemplate } from '../templates/load-template.js';
import { withSystemMessage } from '../templates/system-message.js';
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

/** The run's template (-t, else the default), with --system in place of its system message when given. */
export async function loadRunTemplate(flagValues: Record<string, unknown>): Promise<LoadedTemplate> {
  const template = await loadTemplate(
    (flagValues.template as string | undefined) ?? defaultTemplateName,
    projectTemplateDirs(process.cwd()),
  );
  const system = flagValues.system as string | undefined;
  if (system === undefined) return template;
  if (system.trim() === '') throw new UsageError('--system: give the instruction text (it is empty)');
  return withSystemMessage(template, system);
}

/** --answer beats the template's front matter; with neither, the whole reply is the answer. */
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
  return flagValues.match === 'exact' ? { ...withChoices, asExtracted: true } : withChoices;
}

export function resolvePick(flagValues: Record<string, unknown>): Pick | null {
  return flagValues.pick === undefined ? null : oneOf(flagValues.pick, '--pick', ['first', 'last'] as const);
}

export function resolveMatch(flagValues: Record<string, unknown>): MatchMode {
  return oneOf(flagValues.match ?? 'normalized', '--match', ['exact', 'numeric', 'normalized'] as const);
}

/** The records to run: the dataset, or one record from the positional text or piped stdin. */
export async function openRecords(
  flagValues: Record<string, unknown>,
  positional: string | undefined,
  template: LoadedTemplate,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<{ records: AsyncIterable<DatasetRecord>; single: boolean }> {
  const sharedVars = await parseVarFlags(flagValues.var as string[] | undefined, flagValues.vars as string | undefined);
  const dataset = flagValues.dataset as string | undefined;
  if (dataset !== undefined) {
    if (positional !== undefined) throw new UsageError('give either an input text or --dataset, not both');
    await checkReadable(dataset, '--dataset');
    const checkRecord = (record: DatasetRecord) => template.checkVariables(record.vars, record.source);
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

export function strategySetup(
  template: LoadedTemplate,
  answer: AnswerSpec,
  pick: Pick | null,
  config: ResolvedConfig,
  warn: (message: string) => void,
): StrategySetup {
  return {
    template,
    answer,
    pick,
    seed: config.seed,
    loadTemplate: (name) => loadTemplate(name, projectTemplateDirs(process.cwd())),
    // Only the strategies that take demonstrations read them (and load their zod schema).
    readDemonstrations: async (path, flag) => (await import('./read-demonstrations.js')).readDemonstrations(path, flag),
    readTextFile: async (path, flag) => {
      await checkReadable(path, flag);
      try {
        return await readFile(resolve(path), 'utf8');
      } catch (error) {
        throw new InputError(
          `${flag} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
      }
    },
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
  const { createOpenAIChatClient } = await import('../core/openai-client.js');
  const semaphore = new Semaphore(config.concurrency);
  const throttling = adaptConcurrency(semaphore);
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
  if (!config.cache.enabled && !replay) return { client: limited, throttling };
  // Cache hits skip the concurrency limit: they cost the endpoint nothing.
  const { withCache } = await import('../core/cached-client.js');
  const { createFileCacheStore } = await import('./file-cache-store.js');
  return { client: withCache(limited, createFileCacheStore(config.cache.dir), { replay }), throttling };
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
