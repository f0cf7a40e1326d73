import type { ChatChoice, Usage } from './chat-client.js';

/**
 * A response's usage checked against its choices. Some servers count one choice's tokens for a request
 * with n > 1 (llama-server: a third of the truth for n = 3). The completion tokens cannot be fewer than
 * the choices hold: `max_tokens` for each choice cut at it (finish_reason "length"), and at least one
 * token per six characters of text for the others (English runs about four). Below that floor the usage
 * is estimated per choice — max_tokens for a cut one, four characters a token otherwise — and marked.
 * Servers that report no usage at all are left at zero: there is nothing to correct.
 */
export function checkChoiceUsage(
  choices: ReadonlyArray<ChatChoice>,
  usage: Usage,
  maxTokens: number | null,
): { usage: Usage; estimated: boolean } {
  if (choices.length < 2 || usage.completionTokens === 0) return { usage, estimated: false };
  const cutAtMax = (choice: ChatChoice) => choice.finishReason === 'length' && maxTokens !== null;
  const floor = choices.reduce(
    (sum, choice) => sum + (cutAtMax(choice) ? maxTokens! : Math.ceil(choice.text.length / 6)),
    0,
  );
  if (usage.completionTokens >= floor) return { usage, estimated: false };
  const estimate = choices.reduce(
    (sum, choice) => sum + (cutAtMax(choice) ? maxTokens! : Math.round(choice.text.length / 4)),
    0,
  );
  const completionTokens = Math.max(estimate, usage.completionTokens);
  return {
    usage: { promptTokens: usage.promptTokens, completionTokens, totalTokens: usage.promptTokens + completionTokens },
    estimated: true,
  };
}
