/** Few-shot (Brown et al. 2020): k fixed demonstrations before the input, the same for every record. */
import { UsageError } from '../errors.js';
import { createRandom, shuffled } from '../core/seeded-random.js';
import {
  renderDemonstrationQuestion,
  templateDemonstrations,
  withDemonstrations,
  type Demonstration,
} from './demonstrations.js';
import { requiredText } from '../config/flag-values.js';
import { defaultFewShots, type fewShotOptions, type OptionValues } from './options.js';
import { singleCompletionOutcome } from './single-call.js';
import type { PreparedStrategy, StrategySetup } from './strategy.js';

export async function prepare(
  { examples: examplesFlag, shots, order, demoFormat: format }: OptionValues<typeof fewShotOptions>,
  setup: StrategySetup,
): Promise<PreparedStrategy> {
  // Without --examples, the template's own demonstrations (all of them, unless --shots says fewer).
  const carried = examplesFlag === undefined ? templateDemonstrations(setup.template) : [];
  const examplesPath =
    carried.length > 0
      ? `template "${setup.template.name}"`
      : requiredText(
          examplesFlag,
          '--examples',
          'few-shot needs a JSONL file of {input, output} demonstrations (or demonstrations: in the template)',
        );
  const examples = carried.length > 0 ? carried : await setup.readDemonstrations(examplesPath, '--examples');
  const count = shots ?? (carried.length > 0 ? carried.length : defaultFewShots);
  const chosen = chooseDemonstrations(examples, count, order, setup.seed, examplesPath);
  const turns = await Promise.all(
    chosen.map(async (demo) => ({
      question: await renderDemonstrationQuestion(demo, setup.template),
      answer: demo.output,
    })),
  );
  const render = async (record: { vars: Record<string, unknown>; source: string }) =>
    withDemonstrations(await setup.template.render(record.vars, record.source), turns, format);
  return {
    render,
    plan: async (record) => [{ messages: await render(record), count: 1 }],
    run: async (record, context) => {
      const outcome = await singleCompletionOutcome(await render(record), context, setup.answer, setup.pick ?? 'first');
      return { ...outcome, details: { demonstrations: chosen.map((demo) => demo.id ?? demo.source) } };
    },
  };
}

/** `first`: the first k in file order; `random`: k drawn with the run's seed (fixed for the whole run). */
export function chooseDemonstrations(
  examples: readonly Demonstration[],
  shots: number,
  order: 'first' | 'random',
  seed: number | null,
  path: string,
): Demonstration[] {
  // Refuse rather than clamp: a run that silently used fewer shots than asked would mislabel its results.
  if (shots > examples.length) {
    throw new UsageError(`--shots ${shots} is more than the ${examples.length} demonstration(s) in ${path}`);
  }
  if (order === 'first') return examples.slice(0, shots);
  return shuffled(examples, createRandom(seed ?? 0)).slice(0, shots);
}
