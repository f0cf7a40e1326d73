/**
 * Draws `count` completions for one prompt, trusting nothing: it asks for `n` in one request where the
 * endpoint honours it, counts the choices that came back, and fetches what is missing. Endpoints cap
 * `n` (llama-server at its slot count, OpenAI at 128): a 400 that states the cap teaches it at once, one
 * that does not is met by halving until a request is accepted, and from then on the run sends chunks of
 * the largest accepted size side by side. What it learns is kept for the rest of the run; every HTTP
 * request is counted, the rejected ones too.
 */
import { EndpointError } from '../errors.js';
import { addUsage, zeroUsage, type ChatChoice, type ChatClient, type ChatRequest, type Usage } from './chat-client.js';
import { checkChoiceUsage } from './choice-usage.js';
import { nCapFromMessage } from './n-cap.js';
import { sampleSeed } from './seeded-random.js';

/** What the run has learned about the endpoint's handling of `n`. Mutable, shared by all records. */
export interface EndpointKnowledge {
  /** unknown until the first n>1 request; `ignored` = one choice came back; `rejected` = it takes n = 1 only. */
  n: 'unknown' | 'honoured' | 'ignored' | 'rejected';
  /** The largest n the endpoint accepts and answers in full, when it has a cap (stated, found by halving, or seen). */
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
  /** True when the endpoint's usage counted fewer tokens than its choices hold, and was estimated (checkChoiceUsage). */
  usageEstimated: boolean;
  /** Per choice, its completion tokens when known (it came alone in its response); else null. */
  choiceTokens: Array<number | null>;
}

/** One request of the plan: `n` samples from sample `start` on. */
interface Chunk {
  start: number;
  n: number;
}

export async function sampleCompletions(
  client: ChatClient,
  request: SampleRequest,
  count: number,
  firstSampleIndex: number,
  knowledge: EndpointKnowledge,
  signal?: AbortSignal,
): Promise<SampledCompletions> {
  const slots: Array<ChatChoice | undefined> = new Array(count).fill(undefined);
  const choiceTokens: Array<number | null> = new Array(count).fill(null);
  const collected = { usage: zeroUsage(), requests: 0, usageEstimated: false };
  // This record's own bound, from 400s that named no cap: the endpoint learns it only once a size is accepted.
  let localMax: number | null = null;
  // A cache (or a batch's output) that holds fewer samples than asked: the rest one by one, as before
  // the cache the endpoint was asked (cached-client.ts).
  let oneByOne = false;

  const send = (chunk: Chunk) =>
    client.chat(
      {
        messages: request.messages,
        temperature: request.temperature,
        maxTokens: request.maxTokens ?? undefined,
        seed: sampleSeed(request.seed, firstSampleIndex + chunk.start),
        baseSeed: request.seed ?? undefined,
        n: chunk.n,
        sampleIndex: firstSampleIndex + chunk.start,
      },
      signal,
    );

  while (slots.includes(undefined)) {
    const size = oneByOne ? 1 : chunkSize(knowledge, localMax);
    const planned = plan(slots, size);
    // Until the endpoint is known, one request finds out; after that every chunk goes out at once.
    const round = knowledge.n === 'unknown' && size > 1 ? planned.slice(0, 1) : planned;
    const outcomes = await Promise.allSettled(round.map(send));
    let progressed = false;
    let failure: unknown = null;
    outcomes.forEach((outcome, index) => {
      const chunk = round[index]!;
      if (outcome.status === 'rejected') {
        const error = outcome.reason;
        const cap = chunk.n > 1 ? rejectedN(error, chunk.n) : null;
        if (cap === null) {
          failure ??= error;
          return;
        }
        collected.requests += (error as EndpointError).requests ?? 1;
        if (cap.stated) setCap(knowledge, cap.max);
        else localMax = Math.min(localMax ?? cap.max, cap.max);
        progressed = true;
        return;
      }
      const response = outcome.value;
      // A server may send more than asked; never count more than we asked for.
      const received = response.choices.slice(0, chunk.n);
      received.forEach((choice, offset) => {
        slots[chunk.start + offset] = choice;
      });
      if (received.length === 1 && response.usage.completionTokens > 0)
        choiceTokens[chunk.start] = response.usage.completionTokens;
      const checked = checkChoiceUsage(received, response.usage, request.maxTokens);
      collected.usage = addUsage(collected.usage, checked.usage);
      collected.usageEstimated ||= checked.estimated;
      collected.requests += response.requests;
      if (received.length > 0) progressed = true;
      if (response.cached) {
        oneByOne ||= received.length < chunk.n;
        return;
      }
      if (chunk.n > 1) {
        learnFromAnswer(knowledge, chunk.n, received.length, localMax);
        progressed = true; // fewer choices than asked teach the size to ask for next
      } else if (localMax === 1 && received.length === 1) {
        // Halved down to 1 and answered: it was n > 1 that the endpoint refused.
        setCap(knowledge, 1);
      }
    });
    if (failure !== null) throw failure;
    if (!progressed) throw new EndpointError('the endpoint returned no choices', { status: 200 });
  }
  return { choices: slots as ChatChoice[], choiceTokens, ...collected };
}

/** The largest `n` to ask for now. */
function chunkSize(knowledge: EndpointKnowledge, localMax: number | null): number {
  if (knowledge.n === 'ignored' || knowledge.n === 'rejected') return 1;
  return Math.max(1, Math.min(knowledge.maxN ?? Number.POSITIVE_INFINITY, localMax ?? Number.POSITIVE_INFINITY));
}

/** The requests that fill the missing samples: each run of missing samples, cut into chunks of `size`. */
function plan(slots: ReadonlyArray<ChatChoice | undefined>, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  let index = 0;
  while (index < slots.length) {
    if (slots[index] !== undefined) {
      index++;
      continue;
    }
    let end = index;
    while (end < slots.length && slots[end] === undefined && end - index < size) end++;
    chunks.push({ start: index, n: end - index });
    index = end;
  }
  return chunks;
}

/**
 * A 400 to a request for n > 1 is taken as the endpoint's limit on n (Groq takes 1, llama-server its
 * slots, OpenAI 128): the cap it states, or half of what was asked when it states none. Null for any
 * other failure, which is the record's.
 */
function rejectedN(error: unknown, asked: number): { max: number; stated: boolean } | null {
  if (!(error instanceof EndpointError) || error.status !== 400) return null;
  const stated = nCapFromMessage(error.serverSaid ?? error.message);
  if (stated !== null && stated < asked) return { max: Math.max(1, stated), stated: true };
  return { max: Math.max(1, Math.floor(asked / 2)), stated: false };
}

function setCap(knowledge: EndpointKnowledge, max: number): void {
  knowledge.maxN = Math.min(knowledge.maxN ?? max, max);
  if (max <= 1) knowledge.n = 'rejected';
}

function learnFromAnswer(knowledge: EndpointKnowledge, asked: number, received: number, localMax: number | null): void {
  if (received >= asked) {
    if (knowledge.n === 'unknown') knowledge.n = 'honoured';
    // A size found by halving is the endpoint's cap from now on.
    if (localMax !== null && asked === localMax && (knowledge.maxN === null || knowledge.maxN > asked))
      knowledge.maxN = asked;
  } else if (received <= 1) {
    knowledge.n = 'ignored';
  } else {
    knowledge.maxN = received;
    if (knowledge.n === 'unknown') knowledge.n = 'honoured';
  }
}
