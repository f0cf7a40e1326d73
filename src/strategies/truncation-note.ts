/**
 * What a record says when replies stopped at a token limit (finish_reason "length"), naming the limit:
 * --max-tokens, or the server's own (its context, or its default reply length when no --max-tokens was
 * sent). A reply's completion tokens tell them apart where they are known (a request that drew one
 * choice): fewer than --max-tokens means the context ran out first.
 */

export interface CutReply {
  finishReason: string | null;
  /** Completion tokens of this reply alone; null when not known (one of several choices of a request). */
  tokens: number | null;
}

const tokenCount = (tokens: readonly number[]): string => {
  const low = Math.min(...tokens);
  const high = Math.max(...tokens);
  const range = low === high ? String(low) : `${low} to ${high}`;
  return `${range} token${high === 1 ? '' : 's'}`;
};

export function truncationWarnings(replies: readonly CutReply[], maxTokens: number | null): string[] {
  const cut = replies.filter((reply) => reply.finishReason === 'length');
  if (cut.length === 0) return [];
  const who = (count: number) => (replies.length === 1 ? 'the reply' : `${count} of ${replies.length} replies`);
  const known = (group: readonly CutReply[]) => group.map((reply) => reply.tokens).filter((tokens) => tokens !== null);
  if (maxTokens === null) {
    const tokens = known(cut);
    const at = tokens.length === cut.length ? ` at ${tokenCount(tokens)}` : '';
    return [
      `${who(cut.length)} stopped${at} at the server’s own limit (finish_reason: length; no --max-tokens was sent): its context, or its default reply length (llama-server -n, Ollama num_predict); pass --max-tokens or raise the server’s limit`,
    ];
  }
  const atMax = cut.filter((reply) => reply.tokens !== null && reply.tokens >= maxTokens);
  const short = cut.filter((reply) => reply.tokens !== null && reply.tokens < maxTokens);
  const unknown = cut.filter((reply) => reply.tokens === null);
  const warnings: string[] = [];
  if (atMax.length > 0)
    warnings.push(`${who(atMax.length)} hit --max-tokens ${maxTokens} (finish_reason: length); raise --max-tokens`);
  if (short.length > 0)
    warnings.push(
      `${who(short.length)} stopped at ${tokenCount(known(short))}, below --max-tokens ${maxTokens} (finish_reason: length): the server ran out of context for prompt and reply; shorten the prompt or give the server a larger context`,
    );
  if (unknown.length > 0)
    warnings.push(
      `${who(unknown.length)} hit a token limit (finish_reason: length): --max-tokens ${maxTokens}, or the server’s context if that ran out first; raise --max-tokens or shorten the prompt`,
    );
  return warnings;
}

/** The completion tokens of a response's one choice, when the response drew one and counted it. */
export const oneChoiceTokens = (choices: number, completionTokens: number): number | null =>
  choices === 1 && completionTokens > 0 ? completionTokens : null;
