/** Chain of thought: one reasoning completion, then the answer extracted from it. */
import { addUsage } from '../core/chat-client.js';
import { prepareChainOfThought } from './chain-of-thought.js';
import type { chainOfThoughtOptions, OptionValues } from './options.js';
import { oneCompletion } from './single-call.js';
import type { PreparedStrategy, StrategySetup } from './strategy.js';

export async function prepare(
  options: OptionValues<typeof chainOfThoughtOptions>,
  setup: StrategySetup,
): Promise<PreparedStrategy> {
  const chain = await prepareChainOfThought(options, setup);
  return {
    render: (record) => chain.render(record),
    plan: (record) => chain.plan(record, 1),
    async run(record, context) {
      const messages = await chain.render(record);
      const { choice, usage, requests, warnings } = await oneCompletion(messages, context);
      const extracted = await chain.extract(choice.text, messages, context);
      const completion = {
        text: choice.text,
        answer: extracted.answer,
        via: extracted.via,
        finishReason: choice.finishReason,
      };
      return {
        answer: extracted.answer,
        completions: [extracted.answerStep === null ? completion : { ...completion, answerStep: extracted.answerStep }],
        samplesUsed: 1,
        usage: addUsage(usage, extracted.usage),
        requests: requests + extracted.requests,
        warnings,
      };
    },
  };
}
