/**
 * A response cache that wraps any ChatClient. Each sample is stored under its own key — a hash of the
 * model, messages and sampling parameters plus the sample index — so self-consistency samples stay
 * distinct and a rerun replays the same K samples. The key leaves out the endpoint URL and the key:
 * the same request to a mirror is the same request. Only successes are stored.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { addUsage, zeroUsage, type ChatChoice, type ChatClient, type ChatRequest, type Usage } from './chat-client.js';

export interface CacheEntry {
  choice: ChatChoice;
  /** This sample's share of the request's usage (the prompt is billed to the first sample of a request). */
  usage: Usage;
}

export interface CacheStore {
  get(key: string): Promise<CacheEntry | null>;
  set(key: string, entry: CacheEntry): Promise<void>;
}

/** A replay found no answer for a request; the runner names the record. */
export class ReplayMissError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMissError';
  }
}

export function cacheKey(model: string, request: ChatRequest, sampleIndex: number): string {
  const identity = {
    model,
    messages: request.messages.map((message) => [message.role, message.content]),
    temperature: request.temperature,
    maxTokens: request.maxTokens ?? null,
    seed: request.baseSeed ?? request.seed ?? null,
    stop: request.stop ?? null,
    sampleIndex,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** Splits a request's usage over its choices so that replayed samples add up to what was billed. */
export function splitUsage(usage: Usage, choices: number): Usage[] {
  const share = Math.floor(usage.completionTokens / Math.max(1, choices));
  return Array.from({ length: choices }, (_, index) => {
    const completionTokens = index === 0 ? usage.completionTokens - share * (choices - 1) : share;
    const promptTokens = index === 0 ? usage.promptTokens : 0;
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  });
}

export function withCache(client: ChatClient, store: CacheStore, options: { replay: boolean }): ChatClient {
  return {
    model: client.model,
    embed: (texts, signal, model) => {
      if (options.replay)
        throw new ReplayMissError('--replay: embeddings are not cached; use --select lexical or random');
      return client.embed(texts, signal, model);
    },
    async chat(request, signal) {
      const wanted = request.n ?? 1;
      const first = request.sampleIndex ?? 0;
      const keys = Array.from({ length: wanted }, (_, offset) => cacheKey(client.model, request, first + offset));
      const entries = await Promise.all(keys.map((key) => store.get(key)));
      const firstMiss = entries.indexOf(null);
      const leading = (firstMiss === -1 ? entries : entries.slice(0, firstMiss)) as CacheEntry[];
      // Like a server that returned fewer choices than asked: the caller fetches the rest sample by sample.
      if (leading.length > 0) {
        return {
          choices: leading.map((entry) => entry.choice),
          usage: leading.reduce((sum, entry) => addUsage(sum, entry.usage), zeroUsage()),
          requests: 0,
          cached: true,
        };
      }
      if (options.replay) {
        throw new ReplayMissError(
          `--replay: no cached answer for this request (model ${client.model}, sample ${first})`,
        );
      }
      const response = await client.chat(request, signal);
      const received = response.choices.slice(0, wanted);
      const shares = splitUsage(response.usage, received.length);
      await Promise.all(received.map((choice, offset) => store.set(keys[offset]!, { choice, usage: shares[offset]! })));
      return response;
    },
  };
}
