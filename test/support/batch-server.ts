/**
 * A loopback server for the OpenAI Batch API, for end-to-end tests: `POST /v1/files` (multipart upload,
 * as the SDK sends it), `GET /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches/{id}`,
 * `POST /v1/batches/{id}/cancel`. A batch moves validating → in_progress → completed on successive
 * retrieves (or completes at once), and "executes" each request line through the same reply function
 * and usage rule as the interactive test server, writing an output file and an error file.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorBody, listenOnLoopback, sendJson } from './loopback.js';
import type { ChatCall, ReplyFn } from './openai-test-server.js';

export interface BatchServerOptions {
  /** Default: every choice says "The answer is 42." */
  reply?: ReplyFn;
  /** `gradual` (default): validating, then in_progress, then completed on successive retrieves; `immediate`: completed when created. */
  progress?: 'gradual' | 'immediate';
  /** Lines to fail: they go to the error file with this message instead of being answered. */
  failLine?: (customId: string, body: Record<string, unknown>) => string | null;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
}

export interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
}

export interface StoredBatch {
  id: string;
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  status: string;
  retrieves: number;
  outputFileId: string | null;
  errorFileId: string | null;
  counts: { total: number; completed: number; failed: number };
}

export interface BatchServer {
  /** Base URL to give a client, e.g. 'http://127.0.0.1:PORT/v1'. */
  url: string;
  files: Map<string, StoredFile>;
  batches: Map<string, StoredBatch>;
  /** Every request line executed, in order: custom_id and body. */
  executed: Array<{ customId: string; body: Record<string, unknown> }>;
  counts: { uploads: number; creates: number; retrieves: number; cancels: number; downloads: number; total: number };
  close(): Promise<void>;
}

export async function startBatchServer(options: BatchServerOptions = {}): Promise<BatchServer> {
  const state: Omit<BatchServer, 'url' | 'close'> = {
    files: new Map(),
    batches: new Map(),
    executed: [],
    counts: { uploads: 0, creates: 0, retrieves: 0, cancels: 0, downloads: 0, total: 0 },
  };
  const server = createServer((request, response) => {
    state.counts.total += 1;
    handle(request, response, options, state).catch((error: unknown) =>
      sendJson(response, 500, errorBody(`batch server failed: ${String(error)}`)),
    );
  });
  return { ...state, ...(await listenOnLoopback(server)) };
}

type State = Omit<BatchServer, 'url' | 'close'>;

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: BatchServerOptions,
  state: State,
): Promise<void> {
  const body = await readBody(request);
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
    return sendJson(response, 401, errorBody('Incorrect API key provided'));
  }
  if (request.method === 'POST' && path === '/v1/files') {
    state.counts.uploads += 1;
    const parts = parseMultipart(body, request.headers['content-type'] ?? '');
    const file = parts.find((part) => part.name === 'file');
    if (file === undefined) return sendJson(response, 400, errorBody('no "file" part in the upload'));
    const purpose = parts.find((part) => part.name === 'purpose')?.content.toString('utf8') ?? '';
    const stored = storeFile(state, file.filename ?? 'upload.jsonl', purpose, file.content.toString('utf8'));
    return sendJson(response, 200, fileObject(stored));
  }
  const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
  if (request.method === 'GET' && content) {
    state.counts.downloads += 1;
    const file = state.files.get(content[1]!);
    if (file === undefined) return sendJson(response, 404, errorBody(`no file ${content[1]}`));
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(Buffer.byteLength(file.content)),
    });
    return void response.end(file.content);
  }
  if (request.method === 'POST' && path === '/v1/batches') {
    state.counts.creates += 1;
    const params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const input = state.files.get(String(params.input_file_id));
    if (input === undefined || input.purpose !== 'batch')
      return sendJson(
        response,
        400,
        errorBody(`input_file_id ${String(params.input_file_id)}: no such file with purpose batch`),
      );
    const lines = input.content.split('\n').filter((line) => line.trim() !== '');
    const batch: StoredBatch = {
      id: `batch_${randomUUID().slice(0, 8)}`,
      inputFileId: input.id,
      endpoint: String(params.endpoint),
      completionWindow: String(params.completion_window),
      metadata: (params.metadata as Record<string, string> | undefined) ?? null,
      status: 'validating',
      retrieves: 0,
      outputFileId: null,
      errorFileId: null,
      counts: { total: lines.length, completed: 0, failed: 0 },
    };
    state.batches.set(batch.id, batch);
    if (options.progress === 'immediate') execute(batch, state, options);
    return sendJson(response, 200, batchObject(batch));
  }
  const batchPath = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (batchPath) {
    const batch = state.batches.get(batchPath[1]!);
    if (batch === undefined) return sendJson(response, 404, errorBody(`no batch ${batchPath[1]}`));
    if (request.method === 'POST' && batchPath[2] === '/cancel') {
      state.counts.cancels += 1;
      if (batch.status === 'completed') return sendJson(response, 409, errorBody('cannot cancel a completed batch'));
      batch.status = 'cancelling';
      return sendJson(response, 200, batchObject(batch));
    }
    if (request.method === 'GET' && batchPath[2] === undefined) {
      state.counts.retrieves += 1;
      batch.retrieves += 1;
      if (batch.status === 'cancelling') batch.status = 'cancelled';
      else if (batch.status === 'validating') batch.status = 'in_progress';
      else if (batch.status === 'in_progress') execute(batch, state, options);
      return sendJson(response, 200, batchObject(batch));
    }
  }
  sendJson(response, 404, errorBody(`no route for ${request.method} ${path}`));
}

/** Runs every line of the batch's input file, as the interactive server would answer it. */
function execute(batch: StoredBatch, state: State, options: BatchServerOptions): void {
  const output: string[] = [];
  const errors: string[] = [];
  const reply = options.reply ?? (() => 'The answer is 42.');
  for (const text of state.files
    .get(batch.inputFileId)!
    .content.split('\n')
    .filter((line) => line.trim() !== '')) {
    const line = JSON.parse(text) as { custom_id: string; body: Record<string, unknown> };
    state.executed.push({ customId: line.custom_id, body: line.body });
    const id = `batch_req_${randomUUID().slice(0, 8)}`;
    const failure = options.failLine?.(line.custom_id, line.body) ?? null;
    if (failure !== null) {
      errors.push(
        JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: null,
          error: { code: 'server_error', message: failure },
        }),
      );
      batch.counts.failed += 1;
      continue;
    }
    output.push(
      JSON.stringify({
        id,
        custom_id: line.custom_id,
        response: { status_code: 200, request_id: id, body: chatCompletion(toCall(line.body), reply) },
        error: null,
      }),
    );
    batch.counts.completed += 1;
  }
  if (output.length > 0)
    batch.outputFileId = storeFile(state, `${batch.id}_output.jsonl`, 'batch_output', `${output.join('\n')}\n`).id;
  if (errors.length > 0)
    batch.errorFileId = storeFile(state, `${batch.id}_error.jsonl`, 'batch_output', `${errors.join('\n')}\n`).id;
  batch.status = 'completed';
}

/** The same choices and usage rule as openai-test-server.ts's answerChat (n honoured). */
function chatCompletion(call: ChatCall, reply: ReplyFn): object {
  const choices = [];
  let completionTokens = 0;
  for (let index = 0; index < call.n; index += 1) {
    const answer = reply(call, index);
    const text = typeof answer === 'string' ? answer : answer.text;
    const finishReason = typeof answer === 'string' ? 'stop' : (answer.finishReason ?? 'stop');
    completionTokens += Math.round(text.length / 4);
    choices.push({ index, message: { role: 'assistant', content: text }, finish_reason: finishReason });
  }
  const promptTokens = Math.round(call.messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
  return {
    id: `chatcmpl-batch-${randomUUID().slice(0, 8)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.model,
    choices,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function toCall(body: Record<string, unknown>): ChatCall {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role: unknown; content: unknown }>) : [];
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return {
    messages: messages.map((message) => ({ role: String(message.role), content: String(message.content) })),
    model: String(body.model ?? ''),
    temperature: number(body.temperature),
    seed: number(body.seed),
    n: number(body.n) ?? 1,
    maxTokens: number(body.max_tokens),
    headers: {},
  };
}

/** Enough of multipart/form-data for the SDK's uploads: each part's name, filename and bytes. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): Array<{ name: string; filename: string | null; content: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Array<{ name: string; filename: string | null; content: Buffer }> = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (name !== undefined)
      parts.push({
        name,
        filename: /filename="([^"]*)"/.exec(headers)?.[1] ?? null,
        content: part.subarray(headerEnd + 4),
      });
    start = next;
  }
  return parts;
}

function storeFile(state: State, filename: string, purpose: string, content: string): StoredFile {
  const stored = { id: `file-${randomUUID().slice(0, 8)}`, filename, purpose, content };
  state.files.set(stored.id, stored);
  return stored;
}

const fileObject = (file: StoredFile) => ({
  id: file.id,
  object: 'file',
  bytes: Buffer.byteLength(file.content),
  created_at: 0,
  filename: file.filename,
  purpose: file.purpose,
  status: 'processed',
});

const batchObject = (batch: StoredBatch) => ({
  id: batch.id,
  object: 'batch',
  endpoint: batch.endpoint,
  errors: null,
  input_file_id: batch.inputFileId,
  completion_window: batch.completionWindow,
  status: batch.status,
  output_file_id: batch.outputFileId,
  error_file_id: batch.errorFileId,
  created_at: 0,
  request_counts: batch.counts,
  metadata: batch.metadata,
});

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
