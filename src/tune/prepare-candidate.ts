/**
 * A candidate made ready to run: the baseline's flags with the candidate's settings over them, prepared
 * the way a strategy command prepares its one job (loadRunTemplate with --system, resolveAnswerSpec,
 * strategySetup, the strategy's own option parsing). A demonstration set travels in the template, as
 * `promptlab.demonstrations`, exactly as --save writes it, so a saved winner runs what was measured.
 *
 * This is tune's own adapter until the run layer's job preparation (issue 13, prepare-job.ts) can take
 * a template made in memory; then it becomes a call to that.
 */
import type { AnswerSpec } from '../core/answer-spec.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { UsageError } from '../errors.js';
import { loadRunTemplate, resolveAnswerSpec, resolvePick, strategySetup } from '../run/run-setup.js';
import { defaultTrigger } from '../strategies/options.js';
import { prepareStrategy, type PreparedStrategy, type StrategyDefinition } from '../strategies/strategy.js';
import type { LoadedTemplate } from '../templates/load-template.js';
import type { Candidate } from './candidate-product.js';
import { countingCalls } from './count-calls.js';

export interface PreparedCandidate {
  candidate: Candidate;
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
}

export async function prepareCandidate(candidate: Candidate, context: CandidateContext): Promise<PreparedCandidate> {
  const { settings } = candidate;
  const { definition } = context;
  const flagValues: Record<string, unknown> = {
    ...context.flagValues,
    ...(settings.template === undefined ? {} : { template: settings.template }),
    ...(settings.system === undefined ? {} : { system: settings.system }),
    ...(settings.trigger === undefined ? {} : { trigger: settings.trigger }),
    ...(settings.shots === undefined ? {} : { shots: String(settings.shots) }),
  };
  const loaded = await loadRunTemplate(flagValues);
  const items = settings.demonstrations?.items ?? [];
  const template: LoadedTemplate =
    items.length === 0
      ? loaded
      : {
          ...loaded,
          settings: {
            ...loaded.settings,
            demonstrations: items.map((demo) => ({
              id: demo.id ?? demo.source,
              input: demo.input,
              output: demo.output,
              ...(demo.reasoning === null ? {} : { reasoning: demo.reasoning }),
            })),
          },
        };
  if (items.length > 0) {
    // The set is the template's now: no file, and all of it.
    delete flagValues.examples;
    delete flagValues.shots;
  } else if (settings.demonstrations !== undefined) flagValues.shots = '0';
  const answer = resolveAnswerSpec(flagValues, template);
  const setup = strategySetup(template, answer, resolvePick(flagValues), context.config, context.warn);
  const prepared = await prepareStrategy(definition, flagValues, setup);
  const takesTrigger = 'trigger' in definition.options;
  return {
    candidate,
    template,
    answer,
    prepared: countingEvaluations(prepared),
    trigger: takesTrigger
      ? ((flagValues.trigger as string | undefined) ?? template.settings.trigger ?? defaultTrigger)
      : null,
    system: (flagValues.system as string | undefined) ?? null,
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
    async run(record, context) {
      const counted = countingCalls(context.client);
      const outcome = await prepared.run(record, { ...context, client: counted.client });
      return { ...outcome, details: { ...outcome.details, calls: counted.calls() } };
    },
  };
}
