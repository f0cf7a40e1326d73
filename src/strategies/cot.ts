/** Chain of thought: one reasoning completion, then the answer extracted from it. */
import { addUsage } from '../core/chat-client.js';
import { EndpointError } from '../errors.js';
import { prepareChainOfThought } from './chain-of-thought.js';
import { oneChoiceTokens, truncationWarnings } from './truncation-note.js';
import type { chainOfThoughtOptions, OptionValues } from './options.js';
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
      const response = await context.client.chat(
        {
          messages,
          temperature: context.temperature,
          maxTokens: context.maxTokens ?? undefined,
          seed: context.seed ?? undefined,
          sampleIndex: 0,
        },
        context.signal,
      );
      const choice = response.choices[0];
      if (choice === undefined) throw new EndpointError('the endpoint returned no choices', { status: 200 });
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
        usage: addUsage(response.usage, extracted.usage),
        requests: response.requests + extracted.requests,
        warnings: truncationWarnings(
          [
            {
              finishReason: choice.finishReason,
              tokens: oneChoiceTokens(response.choices.length, response.usage.completionTokens),
            },
          ],
          context.maxTokens,
        ),
      };
    },
  };
}
