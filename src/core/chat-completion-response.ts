/**
 * The body of an OpenAI chat.completion, read in this one place wherever one arrives: from a live call
 * (openai-client.ts) or from a batch output file (src/batch). One reading, so batch and interactive
 * runs cannot drift apart on refusals, missing content or usage. Also the embeddings body.
 */
import { z } from 'zod';
import type { ChatChoice, Usage } from './chat-client.js';

// A usage block of the wrong shape is not worth failing a call over: it reads as "no usage reported".
export const usageSchema = z
  .object({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    total_tokens: z.number().nullish(),
  })
  .nullish()
  .catch(null);

export const chatCompletionSchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().nullish(),
      message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usageSchema,
});

export const embeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().nullish(), embedding: z.array(z.number()) })),
  usage: usageSchema,
});

function toChoices(choices: z.infer<typeof chatCompletionSchema>['choices']): ChatChoice[] {
  return [...choices]
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    .map((choice) => {
      // OpenAI sends a refusal with finish_reason "stop"; say "refusal" so the record shows why it is empty
      // (a more telling reason, such as content_filter, is kept).
      const refusal = choice.message?.refusal;
      if (refusal)
        return {
          text: '',
          finishReason: choice.finish_reason && choice.finish_reason !== 'stop' ? choice.finish_reason : 'refusal',
        };
      return { text: choice.message?.content ?? '', finishReason: choice.finish_reason ?? null };
    });
}

export function toUsage(usage: z.infer<typeof usageSchema>): Usage {
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage?.total_tokens ?? promptTokens + completionTokens };
}

/** The choices and usage of a chat.completion body, or what is wrong with it (`path: problem`). */
export function readChatCompletion(body: unknown): { choices: ChatChoice[]; usage: Usage } | { problem: string } {
  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) return { problem: describeIssue(parsed.error) };
  return { choices: toChoices(parsed.data.choices), usage: toUsage(parsed.data.usage) };
}

/** The first issue of a failed parse, as `path: message`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'unexpected shape'}`;
}
