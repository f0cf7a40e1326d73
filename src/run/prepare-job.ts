/**
 * One job made ready to run from a strategy and its settings: the template (with its system message),
 * the answer spec, the strategy's own options, the temperature and the token limit. The model comes last
 * (withModel), so one prepared strategy serves every model of a matrix.
 *
 * Every way to run prepares its jobs here: a strategy command its one job, `compare` one per strategy,
 * `eval` one per strategy entry (its variants), `tune` one per candidate. Settings are flag values by
 * commander's attribute names, so a variant's `trigger: …` and a command line's `--trigger …` are parsed,
 * checked and named alike.
 */
import type { AnswerSpec } from '../core/answer-spec.js';
import type { ChatClient } from '../core/chat-client.js';
import { canonicalJson, textFingerprint } from '../core/fingerprint.js';
import { parseNumericFlag, type ResolvedConfig } from '../config/resolve-config.js';
import { prepareStrategy, type PreparedStrategy, type StrategyDefinition } from '../strategies/strategy.js';
import { projectTemplateDirs, type LoadedTemplate, type TemplateDirs } from '../templates/load-template.js';
import type { TemplateDemonstration } from '../templates/template-settings.js';
import { optionFiles, type OptionFiles } from './option-files.js';
import { jobFingerprint, type JobFingerprint } from './run-fingerprint.js';
import type { StrategyJob } from './run-records.js';
import {
  loadRunTemplate,
  resolveAnswerSpec,
  resolveMatch,
  resolvePick,
  strategySetup,
  temperatureFor,
} from './run-setup.js';

/** A strategy to prepare, with the settings it runs under. */
export interface JobEntry {
  definition: StrategyDefinition;
  /** The variant's name; null for the strategy with its one setting. */
  variant: string | null;
  /**
   * Flag values by attribute name, the run's with the entry's own over them: `template`, `system`,
   * `answer`, `normalize`, `extractMode`, `pick`, `match`, `temperature`, `maxTokens`, and the strategy's
   * options (`trigger`, `samples`, `shots`, `examples`, `stop`, … as declared in strategies/options.ts).
   */
  settings: Record<string, unknown>;
  /**
   * Demonstrations the job carries in its template (`promptlab.demonstrations`), over the template's own:
   * a tune candidate's demonstration set, run exactly as a saved winner runs it.
   */
  demonstrations?: readonly TemplateDemonstration[];
}

export interface JobContext {
  /** The run's resolved settings: the temperature and token limit a job does not set, the seed. */
  config: ResolvedConfig;
  /** Where template names are looked up; default ./prompts/ of the working directory, then the shipped ones. */
  templateDirs?: TemplateDirs;
  warn(message: string): void;
  /**
   * The option files (--examples, --pool, --context) read so far: one shared by the calls of prepareJob
   * that make one run reads each file once. prepareJobs shares one of its own.
   */
  files?: OptionFiles;
}

/** A job ready for any model. */
export interface PreparedJob {
  strategy: string;
  variant: string | null;
  /** The loaded template (records are checked against it before the run). */
  template: LoadedTemplate;
  answer: AnswerSpec;
  prepared: PreparedStrategy;
  temperature: number;
  maxTokens: number | null;
  /** What the job is, written on its results so --resume can tell this run's from another's. */
  fingerprint: JobFingerprint;
}

export async function prepareJob(entry: JobEntry, context: JobContext): Promise<PreparedJob> {
  const templateDirs = context.templateDirs ?? projectTemplateDirs(process.cwd());
  return prepareWith(entry, context, templateDirs, (settings) => loadRunTemplate(settings, templateDirs));
}

/**
 * Several jobs at once, loading each template (with its system message) once: entries that share one
 * share its parse and compile, which is most of what a job costs before its first request.
 */
export async function prepareJobs(entries: readonly JobEntry[], context: JobContext): Promise<PreparedJob[]> {
  const templateDirs = context.templateDirs ?? projectTemplateDirs(process.cwd());
  const files = context.files ?? optionFiles();
  const loaded = new Map<string, Promise<LoadedTemplate>>();
  const loadTemplate = (settings: Record<string, unknown>) => {
    const key = JSON.stringify([settings.template ?? null, settings.system ?? null]);
    if (!loaded.has(key)) loaded.set(key, loadRunTemplate(settings, templateDirs));
    return loaded.get(key)!;
  };
  return Promise.all(entries.map((entry) => prepareWith(entry, { ...context, files }, templateDirs, loadTemplate)));
}

async function prepareWith(
  entry: JobEntry,
  context: JobContext,
  templateDirs: TemplateDirs,
  loadTemplate: (settings: Record<string, unknown>) => Promise<LoadedTemplate>,
): Promise<PreparedJob> {
  const { definition, settings } = entry;
  const template = withDemonstrations(await loadTemplate(settings), entry.demonstrations);
  const answer = resolveAnswerSpec(settings, template);
  const files = context.files ?? optionFiles();
  const setup = strategySetup(
    template,
    answer,
    resolvePick(settings),
    context.config,
    context.warn,
    templateDirs,
    files,
  );
  const prepared = await prepareStrategy(definition, settings, setup);
  const temperature =
    settings.temperature === undefined
      ? context.config.temperature
      : parseNumericFlag('temperature', settings.temperature as string | number);
  const maxTokens =
    settings.maxTokens === undefined
      ? context.config.maxTokens
      : parseNumericFlag('maxTokens', settings.maxTokens as string | number);
  const resolvedTemperature = temperatureFor(definition, temperature, context.warn);
  const fingerprint = await jobFingerprint(
    {
      template,
      definition,
      flagValues: settings,
      temperature: resolvedTemperature,
      maxTokens,
      seed: context.config.seed,
      answer,
      match: resolveMatch(settings),
    },
    files,
  );
  return {
    strategy: definition.name,
    variant: entry.variant,
    template,
    answer,
    prepared,
    temperature: resolvedTemperature,
    maxTokens,
    fingerprint,
  };
}

/** The template with these demonstrations in its settings, told apart from the file by its fingerprint. */
function withDemonstrations(
  template: LoadedTemplate,
  demonstrations: readonly TemplateDemonstration[] | undefined,
): LoadedTemplate {
  if (demonstrations === undefined || demonstrations.length === 0) return template;
  return {
    ...template,
    settings: { ...template.settings, demonstrations: [...demonstrations] },
    fingerprint: textFingerprint(canonicalJson([template.fingerprint, demonstrations])),
  };
}

/** The job of one model: `model` as the run names it (`ENDPOINT:MODEL` too), `client` the one that calls it. */
export function withModel(job: PreparedJob, model: string, client: ChatClient): StrategyJob {
  return {
    model,
    strategy: job.strategy,
    variant: job.variant,
    template: job.template.name,
    answer: job.answer,
    prepared: job.prepared,
    client,
    temperature: job.temperature,
    maxTokens: job.maxTokens,
    fingerprint: job.fingerprint,
  };
}
