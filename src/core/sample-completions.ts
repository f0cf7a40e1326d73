/**
 * Draws `count` completions for one prompt, trusting nothing: it asks for `n` in one request where the
 * endpoint honours it, counts the choices that came back, and fetches what is missing as separate
 * concurrent requests (each with its own seed). What it learns about `n` is kept for the rest of the run.
 */
import { EndpointError } from '../errors.js';
import { addUsage, zeroUsage, type ChatChoice, type ChatClient, type ChatRequest, type Usage } from './chat-client.js';
import { sampleSeed } from './seeded-random.js';

/** What the run has learned about the endpoint's handling of `n`. Mutable, shared by all records. */
export interface EndpointKnowledge {
  /** unknown until the first n>1 request; `ignored` = fewer choices came back; `rejected` = 400 on n>1. */
  n: 'unknown' | 'honoured' | 'ignored' | 'rejected';
  /** Largest n seen to work when the server caps it (llama-server's slot count). */
  maxN: number | null;
}

export const newEndpointKnowledge = (): EndpointKnowledge => ({ n: 'unknown', maxN: null });

export interface SampleRequest {
  messages: ChatRequest['messages'];
  temperature: number;
  maxTokens: number | null;
  seed: number | null;
}

export interface SampledCompletions {
  choices: ChatChoice[];
  usage: Usage;
  requests: number;
}

export async function sampleCompletions(
  client: ChatClient,
  request: SampleRequest,
  count: number,
  firstSampleIndex: number,
  knowledge: EndpointKnowledge,
  signal?: AbortSignal,
): Promise<SampledCompletions> {
  const collected: SampledCompletions = { choices: [], usage: zeroUsage(), requests: 0 };
  const add = (response: { choices: ChatChoice[]; usage: Usage; requests: number }) => {
    collected.choices.push(...response.choices);
    collected.usage = addUsage(collected.usage, response.usage);
    collected.requests += response.requests;
  };

  const canAskForN = count > 1 && knowledge.n !== 'ignored' && knowledge.n !== 'rejected';
  if (canAskForN) {
    const asked = knowledge.maxN === null ? count : Math.min(count, knowledge.maxN);
    try {
      const response = await client.chat(
        {
          messages: request.messages,
          temperature: request.temperature,
          maxTokens: request.maxTokens ?? undefined,
          seed: sampleSeed(request.seed, firstSampleIndex),
          baseSeed: request.seed ?? undefined,
          n: asked,
          sampleIndex: firstSampleIndex,
        },
        signal,
      );
      // A server may send more than asked; never count more than we asked for.
      add({ ...response, choices: response.choices.slice(0, asked) });
      const received = Math.min(response.choices.length, asked);
      if (received >= asked) {
        if (knowledge.n === 'unknown' && asked > 1) knowledge.n = 'honoured';
      } else if (received <= 1 && !response.cached) {
        knowledge.n = 'ignored';
      } else if (!response.cached) {
        knowledge.maxN = received;
      }
    } catch (error) {
      // A 400 on n>1 (Groq; llama-server above its slots): remember and fall back to separate requests.
      if (!(error instanceof EndpointError) || error.status !== 400) throw error;
      knowledge.n = 'rejected';
    }
  }

  const missing = count - collected.choices.length;
  if (missing > 0) {
    const start = firstSampleIndex + collected.choices.length;
    const responses = await Promise.all(
      Array.from({ length: missing }, (_, offset) =>
        client.chat(
          {
            messages: request.messages,
            temperature: request.temperature,
            maxTokens: request.maxTokens ?? undefined,
            seed: sampleSeed(request.seed, start + offset),
            baseSeed: request.seed ?? undefined,
            n: 1,
            sampleIndex: start + offset,
          },
          signal,
        ),
      ),
    );
    for (const response of responses) add({ ...response, choices: response.choices.slice(0, 1) });
  }
  return collected;
}
