/**
 * The body of a chat completion request, built in this one place for a live call (openai-client.ts)
 * and for a line of a batch input file (src/batch/request-lines.ts), so an endpoint quirk is handled
 * once and batch and interactive runs send the same request. No zod here: it is built before the
 * first request goes out, while the response schemas load (chat-completion-response.ts).
 */
import type { ChatMessage, ChatRequest } from './chat-client.js';

export interface ChatCompletionBody {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  max_tokens?: number;
  seed?: number;
  n?: number;
  stop?: string[];
}

export function chatCompletionBody(model: string, request: ChatRequest): ChatCompletionBody {
  const n = request.n ?? 1;
  return {
    model,
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    temperature: request.temperature,
    // max_tokens rather than max_completion_tokens: every compatible server knows it.
    ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
    ...(request.seed !== undefined && { seed: request.seed }),
    // Some servers reject `n` outright, so send it only when more than one choice is wanted.
    ...(n > 1 && { n }),
    ...(request.stop !== undefined && request.stop.length > 0 && { stop: request.stop }),
  };
}
