/**
 * A candidate made ready to run: the baseline's flags with the candidate's settings over them, prepared
 * as every job is (run/prepare-job.ts: the template with --system, the answer spec, the strategy's own
 * options, the temperature, the fingerprint). A demonstration set travels in the template, as
 * `promptlab.demonstrations`, exactly as --save writes it, so a saved winner runs what was measured.
 */
import type { AnswerSpec } from '../core/answer-spec.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { UsageError } from '../errors.js';
import type { OptionFiles } from '../run/option-files.js';
import { type JobEntry, prepareJobs, type PreparedJob } from '../run/prepare-job.js';
import { defaultTrigger } from '../strategies/options.js';
import type { PreparedStrategy, StrategyDefinition } from '../strategies/strategy.js';
import type { LoadedTemplate } from '../templates/load-template.js';
import type { Candidate } from './candidate-product.js';
import { countingCalls } from './count-calls.js';

export interface PreparedCandidate {
  candidate: Candidate;
  /** The job as the run layer prepared it: `prepared` below is its strategy with calls counted. */
  job: PreparedJob;
  /** The template as the candidate renders it: its system message in place, its demonstrations carried. */
  template: LoadedTemplate;
  answer: AnswerSpec;
  /** Runs the strategy; each outcome's `details.calls` counts the calls it made (cache hits included). */
  prepared: PreparedStrategy;
  /** The trigger it runs with, for strategies that take one (its own, the flag's, the template's or the default). */
  trigger: string | null;
  /** The system instruction it sets (its own or --system); null when the template's own stands. */
  system: string | null;
}

export interface CandidateContext {
  definition: StrategyDefinition;
  /** The command's flag values (commander attribute names), tune's own flags left out. */
  flagValues: Record<string, unknown>;
  config: ResolvedConfig;
  warn(message: string): void;
  /** The search's option files, each read once however many candidates name it. */
  files: OptionFiles;
}

/**
 * The candidates prepared together (prepareJobs): those that share a template and system instruction
 * share its one load, which is most of what preparing one costs.
 */
export async function prepareCandidates(
  candidates: readonly Candidate[],
  context: CandidateContext,
): Promise<PreparedCandidate[]> {
  const entries = candidates.map((candidate) => jobEntry(candidate, context));
  const jobs = await prepareJobs(entries, { config: context.config, warn: context.warn, files: context.files });
  const takesTrigger = 'trigger' in context.definition.options;
  return candidates.map((candidate, index) => {
    const job = jobs[index]!;
    const flagValues = entries[index]!.settings;
    return {
      candidate,
      job,
      template: job.template,
      answer: job.answer,
      prepared: countingEvaluations(job.prepared),
      trigger: takesTrigger
        ? ((flagValues.trigger as string | undefined) ?? job.template.settings.trigger ?? defaultTrigger)
        : null,
      system: (flagValues.system as string | undefined) ?? null,
    };
  });
}

/** The job a candidate is: the baseline's flags with the candidate's settings over them. */
function jobEntry(candidate: Candidate, context: CandidateContext): JobEntry {
  const { settings } = candidate;
  const flagValues: Record<string, unknown> = {
    ...context.flagValues,
    ...(settings.template === undefined ? {} : { template: settings.template }),
    ...(settings.system === undefined ? {} : { system: settings.system }),
    ...(settings.trigger === undefined ? {} : { trigger: settings.trigger }),
    ...(settings.shots === undefined ? {} : { shots: String(settings.shots) }),
  };
  const items = settings.demonstrations?.items ?? [];
  if (items.length > 0) {
    // The set is the template's now: no file, and all of it.
    delete flagValues.examples;
    delete flagValues.shots;
  } else if (settings.demonstrations !== undefined) flagValues.shots = '0';
  return {
    definition: context.definition,
    variant: candidate.id,
    settings: flagValues,
    demonstrations: items.map((demo) => ({
      id: demo.id ?? demo.source,
      input: demo.input,
      output: demo.output,
      ...(demo.reasoning === null ? {} : { reasoning: demo.reasoning }),
    })),
  };
}

/** Every candidate is scored as the baseline is: an answer type that differs would compare unlike things. */
export function checkSameAnswer(baseline: PreparedCandidate, other: PreparedCandidate): void {
  const describe = (spec: AnswerSpec) => JSON.stringify({ ...spec, defaulted: undefined });
  if (describe(baseline.answer) !== describe(other.answer))
    throw new UsageError(
      `--templates: template "${other.template.name}" reads answers as ${other.answer.type}, the baseline's "${baseline.template.name}" as ${baseline.answer.type}; give --answer to score every candidate alike`,
    );
}

/**
 * The strategy with each evaluation's calls to the endpoint counted — what the request budget reckons
 * in: a call the cache answers counts as the request it stands for, so a rerun walks the same search.
 */
function countingEvaluations(prepared: PreparedStrategy): PreparedStrategy {
  return {
    render: (record) => prepared.render(record),
    plan: (record) => prepared.plan(record),
    async run(record, context) {
      const counted = countingCalls(context.client);
      const outcome = await prepared.run(record, { ...context, client: counted.client });
      return { ...outcome, details: { ...outcome.details, calls: counted.calls() } };
    },
  };
}
