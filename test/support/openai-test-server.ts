/**
 * A loopback HTTP server that speaks enough of the OpenAI protocol (`/v1/chat/completions`,
 * `/v1/embeddings`, `/v1/models`) for end-to-end tests, fault injection and benchmarks. It answers through
 * plain functions given at start, records every chat call, and counts every HTTP request.
 * Deliberately quiet and allocation-light: benchmarks run thousands of requests through it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorBody, listenOnLoopback, sendJson } from './loopback.js';

export interface ChatCall {
  messages: Array<{ role: string; content: string }>;
  model: string;
  temperature: number | undefined;
  seed: number | undefined;
  n: number;
  maxTokens: number | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export type ReplyFn = (call: ChatCall, choiceIndex: number) => string | { text: string; finishReason?: string };

export interface TestServerOptions {
  /** Default: every choice says "The answer is 42." */
  reply?: ReplyFn;
  /**
   * How the server treats `n` > 1 — real servers differ: OpenAI and vLLM honour it, some proxies
   * ignore it (one choice back), some reject it (Groq), llama-server and OpenAI reject it above a cap,
   * each in its own words (`says`, see capMessages).
   */
  nMode?: 'honour' | 'ignore' | 'reject' | { cap: number; says?: keyof typeof capMessages };
  /**
   * `first-choice`: the usage block counts one choice's completion tokens whatever `n` was, as
   * llama-server does (issue 12, item 17). Default: every choice counted.
   */
  usageCounts?: 'all-choices' | 'first-choice';
  /** Every choice of every call gets choiceIndex 0, like a server with a fixed default seed. */
  identicalSamples?: boolean;
  /** Delay before answering each request. */
  latencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401 that echoes what was sent. */
  apiKey?: string;
  /**
   * Fault injection for chat requests: return a raw response to send instead of the normal answer,
   * or null for the normal answer. `requestNumber` counts chat requests from 1.
   */
  respond?: (call: ChatCall, requestNumber: number) => RawResponse | DroppedConnection | null;
  /** Default: a deterministic bag-of-words hashing vector of 64 dimensions. */
  embed?: (text: string) => number[];
  /** Fault injection for embeddings requests, as `respond` for chat (`requestNumber` counts them from 1). */
  respondEmbeddings?: (requestNumber: number) => RawResponse | null;
  /**
   * Usage to report. `completion` is per choice; `prompt` is reported once per request, as OpenAI does
   * for `n` > 1. Default: prompt = characters of all messages / 4, completion = characters of the choice / 4.
   */
  usagePerChoice?: { prompt: number; completion: number };
  /** What GET /v1/models lists. Default: one model, `test-model`. */
  models?: string[];
}

export interface RawResponse {
  status: number;
  body: string;
  /** Content-Type defaults to application/json. */
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow server, for --timeout). */
  delayMs?: number;
}

/**
 * A fault that is no answer at all: the socket is destroyed before anything is sent (`before-answer`),
 * or after the headers and half of a 200 body (`mid-body`, a response cut short).
 */
export interface DroppedConnection {
  drop: 'before-answer' | 'mid-body';
  delayMs?: number;
}

export interface TestServer {
  /** Base URL to give a client, e.g. 'http://127.0.0.1:PORT/v1'. */
  url: string;
  /** Every chat call received, in order (including ones answered with an error). */
  calls: ChatCall[];
  /** HTTP requests received, whatever the path or outcome. */
  counts: { chat: number; embeddings: number; models: number; total: number };
  /** The model each embeddings request named, in order. */
  embeddingModels: string[];
  close(): Promise<void>;
}

const defaultReply: ReplyFn = () => 'The answer is 42.';

/** What servers say when `n` is above their cap. */
export const capMessages = {
  /** The words of an earlier test server, and of several OpenAI-compatible proxies. */
  'at-most': (cap: number, n: number) => `n must be at most ${cap}, got ${n}`,
  /** OpenAI's API. */
  openai: (cap: number, n: number) =>
    `Invalid 'n': integer above maximum value. Expected a value <= ${cap}, but got ${n} instead.`,
  /** llama-server above its slot count, as the issue recorded it. */
  'llama-server': (cap: number, n: number) => `Field 'n': Value must be between 1 <= value <= ${cap}, but got ${n}`,
  /** A server that says no without saying how many it takes: the client must find out by halving. */
  vague: () => `'n' is larger than this server supports`,
};

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const calls: ChatCall[] = [];
  const counts = { chat: 0, embeddings: 0, models: 0, total: 0 };
  const embeddingModels: string[] = [];

  // noDelay (Node's default, stated because Nagle's delay would add ~40 ms per small answer) and a long
  // keep-alive so a benchmark's pooled connections are reused rather than reopened.
  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (request, response) => {
    counts.total += 1;
    handleRequest(request, response, options, { calls, counts, embeddingModels }).catch((error: unknown) => {
      sendJson(response, 500, errorBody(`test server failed: ${String(error)}`));
    });
  });

  return { calls, counts, embeddingModels, ...(await listenOnLoopback(server)) };
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: TestServerOptions,
  { calls, counts, embeddingModels }: Pick<TestServer, 'calls' | 'counts' | 'embeddingModels'>,
): Promise<void> {
  const body = await readBody(request);
  const path = (request.url ?? '/').split('?')[0];
  if (options.latencyMs) await delay(options.latencyMs);

  if (request.method === 'POST' && path === '/v1/chat/completions') {
    counts.chat += 1;
    const requestNumber = counts.chat;
    const parsed = parseJson(body);
    if (parsed === undefined) return sendJson(response, 400, errorBody('request body is not valid JSON'));
    const call = toChatCall(parsed, request.headers);
    calls.push(call);
    if (!isAuthorised(request, options)) return sendUnauthorised(request, response);
    const injected = options.respond?.(call, requestNumber) ?? null;
    if (injected?.delayMs) await delay(injected.delayMs);
    if (injected && 'drop' in injected) return dropConnection(request, response, injected.drop);
    if (injected) return sendRaw(response, injected);
    return answerChat(response, call, options);
  }

  if (request.method === 'POST' && path === '/v1/embeddings') {
    counts.embeddings += 1;
    const parsed = parseJson(body);
    if (parsed === undefined) return sendJson(response, 400, errorBody('request body is not valid JSON'));
    embeddingModels.push(String(parsed.model));
    if (!isAuthorised(request, options)) return sendUnauthorised(request, response);
    const injected = options.respondEmbeddings?.(counts.embeddings) ?? null;
    if (injected) return sendRaw(response, injected);
    return answerEmbeddings(response, parsed, options);
  }

  if (request.method === 'GET' && path === '/v1/models') {
    counts.models += 1;
    if (!isAuthorised(request, options)) return sendUnauthorised(request, response);
    const data = (options.models ?? ['test-model']).map((id, index) => ({
      id,
      object: 'model',
      created: 1_700_000_000 + index * 86_400,
      owned_by: 'promptlab-tests',
    }));
    return sendJson(response, 200, { object: 'list', data });
  }

  sendJson(response, 404, errorBody(`no route for ${request.method} ${path}`));
}

function answerChat(response: ServerResponse, call: ChatCall, options: TestServerOptions): void {
  const nMode = options.nMode ?? 'honour';
  if (call.n > 1 && nMode === 'reject') {
    sendJson(response, 400, errorBody("'n' > 1 is not supported"));
    return;
  }
  if (call.n > 1 && typeof nMode === 'object' && call.n > nMode.cap) {
    sendJson(response, 400, errorBody(capMessages[nMode.says ?? 'at-most'](nMode.cap, call.n)));
    return;
  }
  const choiceCount = nMode === 'ignore' ? 1 : call.n;
  const reply = options.reply ?? defaultReply;

  const choices = [];
  let completionTokens = 0;
  for (let index = 0; index < choiceCount; index += 1) {
    const answer = reply(call, options.identicalSamples ? 0 : index);
    const text = typeof answer === 'string' ? answer : answer.text;
    const finishReason = typeof answer === 'string' ? 'stop' : (answer.finishReason ?? 'stop');
    // A reply cut at max_tokens used exactly that many, as a real server counts it.
    const tokens =
      finishReason === 'length' && call.maxTokens !== undefined ? call.maxTokens : Math.round(text.length / 4);
    if (index === 0 || options.usageCounts !== 'first-choice')
      completionTokens += options.usagePerChoice?.completion ?? tokens;
    choices.push({ index, message: { role: 'assistant', content: text }, finish_reason: finishReason });
  }
  const promptCharacters = call.messages.reduce((sum, message) => sum + message.content.length, 0);
  const promptTokens = options.usagePerChoice?.prompt ?? Math.round(promptCharacters / 4);

  sendJson(response, 200, {
    id: `chatcmpl-test-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.model,
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  });
}

function answerEmbeddings(response: ServerResponse, parsed: Record<string, unknown>, options: TestServerOptions): void {
  const input = parsed.input;
  const texts = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
  const embed = options.embed ?? hashingEmbedding;
  // The SDK asks for base64 unless told otherwise; honour both so any client works.
  const asBase64 = parsed.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const vector = embed(text);
    const embedding = asBase64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const promptTokens = texts.reduce((sum, text) => sum + Math.round(text.length / 4), 0);
  sendJson(response, 200, {
    object: 'list',
    data,
    model: typeof parsed.model === 'string' ? parsed.model : 'test-embedding',
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

function toChatCall(parsed: Record<string, unknown>, headers: IncomingMessage['headers']): ChatCall {
  const rawMessages = Array.isArray(parsed.messages) ? (parsed.messages as Array<Record<string, unknown>>) : [];
  return {
    messages: rawMessages.map((message) => ({ role: String(message.role), content: contentText(message.content) })),
    model: typeof parsed.model === 'string' ? parsed.model : '',
    temperature: numberOrUndefined(parsed.temperature),
    seed: numberOrUndefined(parsed.seed),
    n: numberOrUndefined(parsed.n) ?? 1,
    maxTokens: numberOrUndefined(parsed.max_tokens) ?? numberOrUndefined(parsed.max_completion_tokens),
    headers: { ...headers },
  };
}

/** Content may be a string or an array of parts ({type:'text', text}); tests only need the text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

function isAuthorised(request: IncomingMessage, options: TestServerOptions): boolean {
  return options.apiKey === undefined || request.headers.authorization === `Bearer ${options.apiKey}`;
}

/** Echoes what was sent, as careless servers do, so tests can check clients never print it. */
function sendUnauthorised(request: IncomingMessage, response: ServerResponse): void {
  const sent = request.headers.authorization ?? '(none)';
  sendJson(response, 401, errorBody(`Incorrect API key provided: ${sent}`, 'invalid_api_key'));
}

/** FNV-1a hashing of lowercased word tokens: stable across runs, texts sharing words get similar vectors. */
export function hashingEmbedding(text: string): number[] {
  const vector = new Array<number>(64).fill(0);
  for (const token of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!token) continue;
    let hash = 0x811c9dc5;
    for (let index = 0; index < token.length; index += 1) {
      hash = Math.imul(hash ^ token.charCodeAt(index), 0x01000193) >>> 0;
    }
    vector[hash % 64] = (vector[hash % 64] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function sendRaw(response: ServerResponse, raw: RawResponse): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(Buffer.byteLength(raw.body));
  response.writeHead(raw.status, headers);
  response.end(raw.body);
}

function dropConnection(request: IncomingMessage, response: ServerResponse, how: DroppedConnection['drop']): void {
  if (how === 'mid-body') {
    const body = JSON.stringify({
      choices: [{ index: 0, message: { role: 'assistant', content: 'cut short' }, finish_reason: 'stop' }],
    });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    // Flushed before the socket goes, so the client has the headers and is reading the body when it ends.
    response.write(body.slice(0, body.length >> 1), () => setTimeout(() => request.socket.destroy(), 10));
    return;
  }
  request.socket.destroy();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
