/**
 * Self-consistency (Wang et al. 2022): sample k chain-of-thought paths at temperature > 0, extract and
 * normalise each answer, and take the majority; failed extractions do not vote. With `--stop esc|beta`
 * samples are drawn window by window and drawing stops once the rule is satisfied (ESC, Li et al. 2024;
 * Adaptive-Consistency, Aggarwal et al. 2023) — the same rule `score --stop` replays over recordings.
 */
import { addUsage, zeroUsage, type ChatChoice } from '../core/chat-client.js';
import { shouldStop, stoppingPoint } from '../core/early-stopping.js';
import { majorityVote } from '../core/majority-vote.js';
import { answerKey, firstSpelling } from '../core/read-answer.js';
import { sampleCompletions } from '../core/sample-completions.js';
import type { Completion, StrategyOutcome } from '../core/records.js';
import { EndpointError, UsageError } from '../errors.js';
import { prepareChainOfThought } from './chain-of-thought.js';
import { type OptionValues, samplesWithoutConfirmation, type selfConsistencyOptions, stopRule } from './options.js';
import { truncationWarnings, type CutReply } from './truncation-note.js';
import type { PreparedStrategy, StrategySetup } from './strategy.js';

export async function prepare(
  options: OptionValues<typeof selfConsistencyOptions>,
  setup: StrategySetup,
): Promise<PreparedStrategy> {
  const { samples } = options;
  if (samples > samplesWithoutConfirmation && options.yes !== true)
    throw new UsageError(
      `--samples ${samples}: more than ${samplesWithoutConfirmation} completions for every record; pass --yes if that is what you want`,
    );
  const chain = await prepareChainOfThought(options, setup);
  const rule = stopRule(options);
  // Drawn a window at a time when the rule may stop early; all at once when it never does.
  const window = rule.kind === 'fixed' ? samples : Math.min(samples, options.window);

  return {
    render: (record) => chain.render(record),
    // Each sample counted as its own request: the most it costs (an endpoint that honours n sends fewer).
    plan: (record) => chain.plan(record, samples),
    async run(record, context): Promise<StrategyOutcome> {
      const messages = await chain.render(record);
      const choices: ChatChoice[] = [];
      const replies: CutReply[] = [];
      const completions: Completion[] = [];
      const keys: Array<string | null> = [];
      let usage = zeroUsage();
      let usageEstimated = false;
      let requests = 0;
      let used = Number.POSITIVE_INFINITY;
      while (choices.length < samples) {
        const wanted = Math.min(window, samples - choices.length);
        const drawn = await sampleCompletions(
          context.client,
          { messages, temperature: context.temperature, maxTokens: context.maxTokens, seed: context.seed },
          wanted,
          choices.length,
          context.endpoint,
          context.signal,
        );
        usage = addUsage(usage, drawn.usage);
        usageEstimated ||= drawn.usageEstimated;
        requests += drawn.requests;
        if (drawn.choices.length === 0) throw new EndpointError('the endpoint returned no choices', { status: 200 });
        const extracted = await Promise.all(
          drawn.choices.map((choice) => chain.extract(choice.text, messages, context)),
        );
        drawn.choices.forEach((choice, index) => {
          const result = extracted[index]!;
          replies.push({ finishReason: choice.finishReason, tokens: drawn.choiceTokens[index] ?? null });
          usage = addUsage(usage, result.usage);
          requests += result.requests;
          choices.push(choice);
          const completion: Completion = {
            text: choice.text,
            answer: result.answer,
            via: result.via,
            finishReason: choice.finishReason,
          };
          completions.push(result.answerStep === null ? completion : { ...completion, answerStep: result.answerStep });
          keys.push(answerKey(result.answer, setup.answer));
        });
        if (rule.kind !== 'fixed') {
          // Once per window: the first sample at which the rule holds, if it holds anywhere in this window.
          used = stoppingPoint(keys, rule, samples);
          if (used < keys.length || shouldStop(keys, rule)) break;
        }
      }
      if (rule.kind === 'fixed' || used > keys.length) used = keys.length;
      const vote = majorityVote(keys.slice(0, used));
      const warnings = truncationWarnings(replies, context.maxTokens);
      if (vote.tiedWith.length > 0) {
        warnings.push(
          `tie between ${[vote.answer, ...vote.tiedWith].join(', ')}: broken in favour of the earliest sampled answer (${vote.answer})`,
        );
      }
      if (
        choices.length > 1 &&
        context.temperature > 0 &&
        choices.every((choice) => choice.text === choices[0]!.text)
      ) {
        warnings.push(
          `all ${choices.length} samples are byte-identical at temperature ${context.temperature}: the server may ignore temperature or use a fixed seed, so their agreement is not evidence`,
        );
      }
      return {
        answer: firstSpelling(
          vote.answer,
          completions.map((completion) => completion.answer),
          keys,
        ),
        completions,
        votes: vote.votes,
        agreement: vote.agreement,
        samplesUsed: used,
        usage,
        ...(usageEstimated ? { usageEstimated } : {}),
        requests,
        warnings,
        details: { tie: vote.tiedWith.length > 0, stop: rule.kind },
      };
    },
  };
}
