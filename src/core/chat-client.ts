/**
 * The small interface every strategy talks to. Only src/core/openai-client.ts implements it over the
 * network; tests use test/support/fake-chat-client.ts; caching and concurrency limits wrap it
 * (decorators), never grow options here.
 */
export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature: number;
  maxTokens?: number | undefined;
  /** Seed sent to the server (when set). Separate requests for samples each get their own. */
  seed?: number | undefined;
  /** Number of choices asked for in this one request (default 1). The server may return fewer. */
  n?: number | undefined;
  /**
   * The run's --seed, for cache keys: `seed` (what is sent) differs per sample when samples go out as
   * separate requests, but sample i of a run is the same sample however it was fetched.
   */
  baseSeed?: number | undefined;
  /** Index of the first sample this request stands for (0 for single-sample strategies). Caches key on it. */
  sampleIndex?: number | undefined;
  stop?: string[] | undefined;
}

export interface ChatChoice {
  text: string;
  /** `stop`, `length`, `content_filter`, ... as the server said; null when it said nothing. */
  finishReason: string | null;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResponse {
  /** The choices that actually came back: never assume there are `n` of them. */
  choices: ChatChoice[];
  /** Usage as the server reported it (zeros when it reported none). */
  usage: Usage;
  /** HTTP requests this call made, retries included (0 for a cache hit). */
  requests: number;
  /** True when the answer came from a cache rather than the endpoint. */
  cached?: boolean | undefined;
}

export interface ChatClient {
  /** Model name as sent to the endpoint. */
  readonly model: string;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse>;
  /** Embeddings from the endpoint's /v1/embeddings, one vector per input; `model` defaults to the chat model. */
  embed(
    texts: string[],
    signal?: AbortSignal,
    model?: string,
  ): Promise<{ vectors: number[][]; usage: Usage; requests: number }>;
}

export const zeroUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
