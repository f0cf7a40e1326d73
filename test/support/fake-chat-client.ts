/**
 * A ChatClient for unit tests (vercel/ai's MockLanguageModel, in our terms): replies come from a queue, one
 * per choice, then from a function; every call is recorded; `n` is honoured, ignored (one choice back) or
 * rejected (a 400, as Groq does); a queued Error makes that call fail. No network, no timers.
 */
import {
  zeroUsage,
  type ChatChoice,
  type ChatClient,
  type ChatRequest,
  type Usage,
} from '../../src/core/chat-client.js';
import { EndpointError } from '../../src/errors.js';

export type FakeReply = string | { text: string; finishReason?: string | null };

export interface FakeChatClientOptions {
  model?: string;
  /** Handed out in order, one per choice; an Error fails the call that would take it. */
  replies?: Array<FakeReply | Error>;
  /** Answers once the queue is empty (default: "The answer is 42."). */
  reply?: (request: ChatRequest, choiceIndex: number) => FakeReply;
  /** What the endpoint does with `n` > 1. */
  n?: 'honour' | 'ignore' | 'reject';
  /** Usage reported per call. */
  usage?: Usage;
  /** Embedding of one text (default: letter counts a–z). */
  embed?: (text: string) => number[];
}

export interface FakeChatClient extends ChatClient {
  /** Every chat request, in the order made. */
  readonly calls: ChatRequest[];
  /** Every embeddings call's texts. */
  readonly embedCalls: string[][];
  /** Queued replies not yet handed out. */
  readonly pending: number;
}

const letterCounts = (text: string): number[] =>
  Array.from(
    { length: 26 },
    (_, letter) => [...text.toLowerCase()].filter((c) => c.charCodeAt(0) === 97 + letter).length,
  );

export function createFakeChatClient(options: FakeChatClientOptions = {}): FakeChatClient {
  const queue = [...(options.replies ?? [])];
  const calls: ChatRequest[] = [];
  const embedCalls: string[][] = [];
  const reply = options.reply ?? (() => 'The answer is 42.');
  const toChoice = (value: FakeReply): ChatChoice =>
    typeof value === 'string'
      ? { text: value, finishReason: 'stop' }
      : { text: value.text, finishReason: value.finishReason === undefined ? 'stop' : value.finishReason };

  return {
    model: options.model ?? 'fake-model',
    calls,
    embedCalls,
    get pending() {
      return queue.length;
    },
    async chat(request) {
      calls.push(request);
      const wanted = request.n ?? 1;
      if (wanted > 1 && options.n === 'reject')
        throw new EndpointError('fake rejected the request (400): n must be 1', { status: 400, requests: 1 });
      const count = wanted > 1 && options.n === 'ignore' ? 1 : wanted;
      const choices: ChatChoice[] = [];
      for (let index = 0; index < count; index++) {
        const next = queue.length > 0 ? queue.shift()! : reply(request, index);
        if (next instanceof Error) throw next;
        choices.push(toChoice(next));
      }
      return { choices, usage: options.usage ?? zeroUsage(), requests: 1 };
    },
    async embed(texts) {
      embedCalls.push(texts);
      return { vectors: texts.map(options.embed ?? letterCounts), usage: zeroUsage(), requests: 1 };
    },
  };
}
