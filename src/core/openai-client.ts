/**
 * The one adapter that imports `openai`: a ChatClient over any OpenAI-compatible endpoint.
 * Retries and timeouts stay inside the SDK (`maxRetries`, `timeout`); this file only counts the HTTP
 * requests each call made, caps server-requested retry waits, validates what came back and turns every
 * SDK failure into a one-line EndpointError that names the base URL and never the key.
 */
import type OpenAI from 'openai';
import type { EndpointError } from '../errors.js';
import { zeroUsage } from './chat-client.js';
import type { ChatClient, ChatRequest, ChatResponse } from './chat-client.js';
import { chatCompletionBody } from './chat-completion-request.js';
import { createHttpFetch } from './http-fetch.js';
import { bodyStart, isNotImplemented, malformedResponse, toEndpointError } from './openai-errors.js';
import { createSdk } from './openai-sdk.js';

export interface OpenAIClientOptions {
  baseUrl: string;
  /** null: send no Authorization header at all (local servers). */
  apiKey: string | null;
  model: string;
  /** Per HTTP attempt, as the SDK applies it. */
  timeoutMs: number;
  /** Retries after the first attempt, done by the SDK. */
  maxRetries: number;
  /** Longest wait between retries that a server's `retry-after` may ask for. */
  maxRetryWaitMs: number;
  /** Injectable for tests; by default the keep-alive node:http fetch of http-fetch.ts. */
  fetch?: typeof fetch;
  /** Called on each 429 response, and on each 503 that carries a retry-after header. */
  onThrottle?: (info: { status: number; retryAfterMs: number | null }) => void;
}

type Operation = 'chat' | 'embeddings';

/**
 * Counts the HTTP requests of one call. It rides to our fetch in the call's `fetchOptions`, which the SDK
 * copies into the init of every attempt, retries included. (A per-call `sdk.withOptions({ fetch })`
 * would count the same, but builds a whole client, with every API resource object, on every call.)
 */
const callTally = Symbol('promptlab.callTally');
interface CallTally {
  requests: number;
}
type TalliedInit = RequestInit & { [callTally]?: CallTally };
/** The per-request options `counted` hands to an SDK call (the SDK's own type, which it does not export by name). */
type CallOptions = NonNullable<Parameters<OpenAI['embeddings']['create']>[1]>;

export function createOpenAIChatClient(options: OpenAIClientOptions): ChatClient {
  // Whether a connection to the endpoint was ever made: a timeout before any is "cannot reach", after one
  // the server is there and slow. Unknown (null) with an injected fetch.
  let endpointConnected: boolean | null = options.fetch === undefined ? false : null;
  const connect = () => {
    endpointConnected = true;
  };
  const cappedFetch = capRetryAfter(
    noRetriesWhenNotImplemented(options.fetch ?? createHttpFetch({ onConnect: connect })),
    options.maxRetryWaitMs,
    options.onThrottle,
  );
  // Once any HTTP response has come back, the endpoint is known to be there: a later timeout or dropped
  // connection is about one call, not the whole run (see toEndpointError).
  let endpointAnswered = false;
  const countingFetch: typeof fetch = async (input, init) => {
    const { [callTally]: tally, ...fetchInit } = (init ?? {}) as TalliedInit;
    if (tally !== undefined) tally.requests += 1;
    const response = await cappedFetch(input, fetchInit);
    endpointAnswered = true;
    return response;
  };
  const sdk = createSdk({ ...options, fetch: countingFetch });
  // The response schemas (and zod with them) load while the first request is out, not before it is sent.
  let bodies: Promise<typeof import('./chat-completion-response.js')> | undefined;
  const loadBodies = () => (bodies ??= import('./chat-completion-response.js'));
  /** What went wrong with an answer that came back. */
  const malformed = (detail: string, requests: number): EndpointError => malformedResponse(options, detail, requests);

  /** Runs one SDK call with the request options that count its attempts and link its signal. */
  async function counted<T>(
    operation: Operation,
    signal: AbortSignal | undefined,
    run: (requestOptions: CallOptions) => Promise<T>,
  ) {
    const tally: CallTally = { requests: 0 };
    const link = linkSignal(signal);
    try {
      const value = await run({
        signal: link.signal,
        fetchOptions: { [callTally]: tally } as CallOptions['fetchOptions'],
      });
      return { value, requests: tally.requests };
    } catch (error) {
      // A caller that aborted gets its own abort reason back, so its usual abort handling applies.
      if (signal?.aborted) throw signal.reason ?? error;
      const what = operation === 'embeddings' ? 'embeddings with model' : 'model';
      throw toEndpointError(error, {
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        timeoutMs: options.timeoutMs,
        action: null,
        attempts: tally.requests,
        endpointAnswered,
        endpointConnected,
        notFound: ` for ${what} "${options.model}": check --model and --base-url (usually ending in /v1)`,
      });
    } finally {
      link.unlink();
    }
  }

  return {
    model: options.model,

    async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
      const body = chatCompletionBody(options.model, request);
      const [{ value, requests }, { readChatCompletion }] = await Promise.all([
        counted('chat', signal, (requestOptions) => sdk.chat.completions.create(body, requestOptions)),
        loadBodies(),
      ]);
      // The SDK hands back the raw text when the Content-Type is not JSON.
      if (typeof value === 'string')
        throw malformed(`not JSON (starts "${bodyStart(value, options.apiKey)}")`, requests);
      const completion = readChatCompletion(value);
      if ('problem' in completion) throw malformed(completion.problem, requests);
      return { ...completion, requests };
    },

    async embed(texts: string[], signal?: AbortSignal, model?: string) {
      if (texts.length === 0) return { vectors: [], usage: zeroUsage(), requests: 0 };
      const [{ value, requests }, { embeddingsSchema, toUsage, describeIssue }] = await Promise.all([
        counted('embeddings', signal, (requestOptions) =>
          // 'float' explicitly: the SDK otherwise asks for base64, which many local servers do not speak.
          sdk.embeddings.create(
            { model: model ?? options.model, input: texts, encoding_format: 'float' },
            requestOptions,
          ),
        ),
        loadBodies(),
      ]);
      if (typeof value === 'string')
        throw malformed(`not JSON (starts "${bodyStart(value, options.apiKey)}")`, requests);
      const parsed = embeddingsSchema.safeParse(value);
      if (!parsed.success) throw malformed(describeIssue(parsed.error), requests);
      const result = parsed.data;
      if (result.data.length !== texts.length) {
        throw malformed(`${result.data.length} embeddings for ${texts.length} inputs`, requests);
      }
      const ordered = result.data
        .map((item, position) => ({ index: item.index ?? position, embedding: item.embedding }))
        .sort((a, b) => a.index - b.index);
      return { vectors: ordered.map((item) => item.embedding), usage: toUsage(result.usage), requests };
    },
  };
}

/**
 * A signal for one call, aborted when the caller's is. The SDK adds an 'abort' listener to the signal it
 * is given and never removes it (fetchWithTimeout in openai/client.js). A run passes one signal that
 * lives as long as the run, so every request would leave a listener, and the AbortController it holds,
 * behind on it: memory grew with every record (12 KB each), and since EventTarget scans its listeners
 * for duplicates on every add, the run slowed quadratically (10,000 records: 13.8 s; 100,000: > 8 min).
 * The SDK's listener now lands on this short-lived signal instead, and ours is removed after the call.
 */
function linkSignal(signal: AbortSignal | undefined): { signal: AbortSignal | undefined; unlink(): void } {
  if (signal === undefined) return { signal: undefined, unlink: () => undefined };
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, unlink: () => signal.removeEventListener('abort', forward) };
}

// ---------------------------------------------------------------------------------------------------
// Retry-After cap.
//
// What openai 6.30.1 does (node_modules/openai/client.js, retryRequest(), lines 437-465; the same in
// node_modules/openai/src/client.ts lines 847-884): on a retryable response (408, 409, 429, >=500, or
// `x-should-retry: true`) it reads `retry-after-ms` (float milliseconds), else `retry-after` (float
// seconds, else an HTTP date minus now), and sleeps exactly that long with NO upper bound — the 60 s
// ceiling of the 4.x SDK is gone. Only when neither header parses does it use its own backoff
// (0.5 s doubling to 8 s, minus up to 25% jitter). Its sleep ignores the abort signal, and a value
// over 2^31-1 ms overflows setTimeout into an immediate retry. So a server saying `retry-after: 3600`
// would stall a run for an hour, uninterruptibly. We rewrite such headers before the SDK sees them.
// ---------------------------------------------------------------------------------------------------

type ThrottleListener = OpenAIClientOptions['onThrottle'];

/**
 * A 501 (or 405, or a 500 saying "not implemented") is a server that does not do this at all —
 * llama-server's "This server does not support embeddings" — but the SDK retries every 5xx: 39 requests
 * for 12 records. `x-should-retry: false` is the SDK's own way to say no (shouldRetry in its client.js).
 */
function noRetriesWhenNotImplemented(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    if (response.status !== 501 && response.status !== 500 && response.status !== 405) return response;
    // Error bodies are small: read once, and handed on in a new Response either way.
    const body = await response.text();
    const headers = new Headers(response.headers);
    if (isNotImplemented(response.status, body)) headers.set('x-should-retry', 'false');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}

function capRetryAfter(baseFetch: typeof fetch, maxWaitMs: number, onThrottle: ThrottleListener): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    if (response.ok) return response;
    const askedMs = requestedWaitMs(response.headers);
    if (response.status === 429 || (response.status === 503 && askedMs !== null)) {
      onThrottle?.({
        status: response.status,
        retryAfterMs: askedMs !== null && Number.isFinite(askedMs) ? askedMs : null,
      });
    }
    if (askedMs === null || askedMs <= maxWaitMs) return response;
    const headers = new Headers(response.headers);
    headers.delete('retry-after');
    headers.delete('retry-after-ms');
    // Unparseable values fall back to the SDK's own short backoff; over-long ones become the cap.
    if (!Number.isNaN(askedMs)) headers.set('retry-after-ms', String(maxWaitMs));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** The wait the SDK would take from these headers (same precedence); null when there are none, NaN when unparseable. */
function requestedWaitMs(headers: Headers): number | null {
  const milliseconds = parseFloat(headers.get('retry-after-ms') ?? '');
  if (milliseconds) return milliseconds;
  const retryAfter = headers.get('retry-after');
  if (!retryAfter) return Number.isNaN(milliseconds) ? null : milliseconds;
  const seconds = parseFloat(retryAfter);
  return Number.isNaN(seconds) ? Date.parse(retryAfter) - Date.now() : seconds * 1000;
}
