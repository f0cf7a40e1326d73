/**
 * The one adapter that imports `openai`: a ChatClient over any OpenAI-compatible endpoint.
 * Retries and timeouts stay inside the SDK (`maxRetries`, `timeout`); this file only counts the HTTP
 * requests each call made, caps server-requested retry waits, validates what came back and turns every
 * SDK failure into a one-line EndpointError that names the base URL and never the key.
 */
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { z } from 'zod';
import { EndpointError } from '../errors.js';
import { createHttpFetch } from './http-fetch.js';
import { createSdk } from './openai-sdk.js';
import { zeroUsage } from './chat-client.js';
import type { ChatClient, ChatRequest, ChatResponse } from './chat-client.js';

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
  const cappedFetch = capRetryAfter(options.fetch ?? createHttpFetch(), options.maxRetryWaitMs, options.onThrottle);
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
  let bodies: Promise<typeof import('./chat-completion-body.js')> | undefined;
  const loadBodies = () => (bodies ??= import('./chat-completion-body.js'));

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
      const { baseUrl, apiKey, model, timeoutMs } = options;
      throw toEndpointError(error, {
        baseUrl,
        apiKey,
        model,
        timeoutMs,
        operation,
        attempts: tally.requests,
        endpointAnswered,
      });
    } finally {
      link.unlink();
    }
  }

  return {
    model: options.model,

    async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
      const n = request.n ?? 1;
      const body = {
        model: options.model,
        messages: request.messages,
        temperature: request.temperature,
        // max_tokens rather than max_completion_tokens: every compatible server knows it.
        ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
        ...(request.seed !== undefined && { seed: request.seed }),
        // Some servers reject `n` outright, so send it only when more than one choice is wanted.
        ...(n > 1 && { n }),
        ...(request.stop !== undefined && request.stop.length > 0 && { stop: request.stop }),
      };
      const [{ value, requests }, { chatCompletionSchema, toChoices, toUsage }] = await Promise.all([
        counted('chat', signal, (requestOptions) => sdk.chat.completions.create(body, requestOptions)),
        loadBodies(),
      ]);
      const completion = parseBody(chatCompletionSchema, value, options, requests);
      return { choices: toChoices(completion.choices), usage: toUsage(completion.usage), requests };
    },

    async embed(texts: string[], signal?: AbortSignal, model?: string) {
      if (texts.length === 0) return { vectors: [], usage: zeroUsage(), requests: 0 };
      const [{ value, requests }, { embeddingsSchema, toUsage }] = await Promise.all([
        counted('embeddings', signal, (requestOptions) =>
          // 'float' explicitly: the SDK otherwise asks for base64, which many local servers do not speak.
          sdk.embeddings.create(
            { model: model ?? options.model, input: texts, encoding_format: 'float' },
            requestOptions,
          ),
        ),
        loadBodies(),
      ]);
      const result = parseBody(embeddingsSchema, value, options, requests);
      if (result.data.length !== texts.length) {
        throw malformed(options, `${result.data.length} embeddings for ${texts.length} inputs`, requests);
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

// ---------------------------------------------------------------------------------------------------
// Response validation. Lenient on purpose: servers differ (extra fields, missing usage, null content,
// refusals), so unknown keys are ignored and only the fields we read are checked.
// ---------------------------------------------------------------------------------------------------

function parseBody<T>(schema: z.ZodType<T>, body: unknown, context: RedactionContext, requests: number): T {
  // The SDK hands back the raw text when the Content-Type is not JSON.
  if (typeof body === 'string')
    throw malformed(context, `not JSON (starts "${redact(body, context.apiKey, 40)}")`, requests);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw malformed(context, `${where}${issue?.message ?? 'unexpected shape'}`, requests);
}

// ---------------------------------------------------------------------------------------------------
// Error mapping: one line, naming the base URL, never the key.
// ---------------------------------------------------------------------------------------------------

interface ErrorContext {
  baseUrl: string;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
  operation: Operation;
  /** HTTP requests the failed call made. */
  attempts: number;
  /** Whether any call of this run has had an HTTP response yet. */
  endpointAnswered: boolean;
}

type RedactionContext = Pick<ErrorContext, 'baseUrl' | 'apiKey'>;

function toEndpointError(error: unknown, context: ErrorContext): EndpointError {
  const { baseUrl, apiKey, attempts } = context;
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const endpointError = (message: string, extra: { status?: number; fatal?: boolean } = {}) =>
    new EndpointError(redact(message, apiKey), { ...extra, requests: attempts, cause: safeCause(error, apiKey) });

  // Timeouts and dropped connections end the run only while the endpoint has never answered (a wrong
  // port, a host that swallows packets); once it has, they belong to one slow or unlucky call. A refused
  // connection or an unknown host ends the run whenever it happens: the endpoint is gone.
  if (error instanceof APIUserAbortError) return endpointError(`request to ${baseUrl} was aborted`);
  if (error instanceof APIConnectionTimeoutError) {
    const seconds = Math.round(context.timeoutMs / 100) / 10;
    const message = `${context.endpointAnswered ? `${baseUrl} did not answer` : `cannot reach ${baseUrl}: no answer`} within ${seconds} s (${tries}; see --timeout)`;
    return endpointError(message, { fatal: !context.endpointAnswered });
  }
  if (error instanceof APIConnectionError) {
    const dropped = context.endpointAnswered && isDroppedConnection(error);
    const message = dropped
      ? `${baseUrl} dropped the connection: ${connectionReason(error)} (${tries})`
      : `cannot reach ${baseUrl}: ${connectionReason(error)} (${tries})`;
    return endpointError(message, { fatal: !dropped });
  }
  // The server closed the connection while the body was still coming (fetch's "terminated", as http-fetch.ts keeps it); not retried by the SDK.
  if (error instanceof TypeError && error.message === 'terminated') {
    return endpointError(`${baseUrl} closed the connection before the answer was complete (${tries})`);
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const detail = serverMessage(error, apiKey);
    const said = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      const advice =
        apiKey === null ? 'no key was sent; set --api-key or OPENAI_API_KEY' : 'check --api-key / OPENAI_API_KEY';
      return endpointError(`${baseUrl} refused the API key (${status}): ${advice}${said}`, { status, fatal: true });
    }
    if (status === 404) {
      const what = context.operation === 'embeddings' ? 'embeddings with model' : 'model';
      return endpointError(
        `${baseUrl} answered 404 for ${what} "${context.model}": check --model and --base-url (usually ending in /v1)${said}`,
        { status, fatal: true },
      );
    }
    if (status === 400 || status === 422)
      return endpointError(`${baseUrl} rejected the request (${status})${said}`, { status });
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      return endpointError(`${baseUrl}: retries exhausted after ${tries} (${status})${said}`, { status });
    }
    return endpointError(`${baseUrl} answered ${status}${said}`, { status });
  }
  // A JSON Content-Type over a body that is not JSON surfaces as a SyntaxError from the SDK's parser.
  if (error instanceof SyntaxError) return malformed(context, 'body is not valid JSON', attempts);
  const reason = error instanceof Error ? error.message : String(error);
  return endpointError(`${baseUrl} failed: ${reason}`);
}

function malformed(context: RedactionContext, detail: string, requests: number): EndpointError {
  return new EndpointError(redact(`${context.baseUrl} sent a malformed response: ${detail}`, context.apiKey), {
    requests,
  });
}

/** The server's own words: `{"error":{"message":...}}`, `{"error":"..."}` (Ollama), or raw text. */
function serverMessage(error: APIError, apiKey: string | null): string {
  const body: unknown = error.error;
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    text = typeof message === 'string' ? message : JSON.stringify(message);
  } else text = error.message.replace(/^\d{3} /, '').replace(/^status code \(no body\)$/, '');
  return redact(text, apiKey, 200);
}

/** A connection that was open and then closed or reset under the request, as opposed to one never made. */
function isDroppedConnection(error: Error): boolean {
  for (let current: unknown = error.cause, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && droppedConnectionCodes.has(code)) return true;
    current = current.cause;
  }
  return false;
}

const droppedConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** fetch nests the useful part: TypeError('fetch failed') → Error('connect ECONNREFUSED 127.0.0.1:9'). */
function connectionReason(error: Error): string {
  let reason = '';
  let code = '';
  for (let current: unknown = error.cause, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.message) reason = current.message;
    const currentCode = (current as { code?: unknown }).code;
    if (!code && typeof currentCode === 'string') code = currentCode;
    current = current.cause;
  }
  if (!reason) reason = code || 'connection failed';
  else if (code && !reason.includes(code)) reason = `${reason} (${code})`;
  return reason;
}

/** One line, no key, no bearer token, at most `limit` characters. */
function redact(text: string, apiKey: string | null, limit = Infinity): string {
  let clean = text.replace(/\s+/g, ' ').trim();
  if (apiKey) clean = clean.split(apiKey).join('***');
  clean = clean.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer ***');
  return clean.length > limit ? `${clean.slice(0, limit - 1)}…` : clean;
}

/** Keep the SDK error for --debug, unless its messages could carry the key or a token. */
function safeCause(error: unknown, apiKey: string | null): unknown {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if ((apiKey && current.message.includes(apiKey)) || /Bearer\s/i.test(current.message)) return undefined;
    current = current.cause;
  }
  return error;
}
