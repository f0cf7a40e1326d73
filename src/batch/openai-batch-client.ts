/**
 * The Batch API adapter: upload a requests file (`POST /v1/files`, purpose `batch`), create, retrieve
 * and cancel batches (`/v1/batches`), download output and error files (`GET /v1/files/{id}/content`).
 * Besides src/core/openai-client.ts, the only file that imports `openai`. Retries and timeouts stay in
 * the SDK; every failure becomes a one-line EndpointError naming the base URL and never the key.
 */
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, toFile } from 'openai';
import { createSdk } from '../core/openai-sdk.js';
import { EndpointError } from '../errors.js';
import { chatCompletionsUrl } from './request-lines.js';

export interface BatchEndpointOptions {
  baseUrl: string;
  /** null: send no Authorization header (local servers). */
  apiKey: string | null;
  timeoutMs: number;
  maxRetries: number;
  /** Injectable for tests. */
  fetch?: typeof fetch;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** What promptlab reads of a batch object. */
export interface BatchInfo {
  id: string;
  status: string;
  requestCounts: RequestCounts | null;
  outputFileId: string | null;
  errorFileId: string | null;
  /** Batch-level errors (a file that failed validation), one line each. */
  errors: string[];
}

export interface BatchApi {
  readonly baseUrl: string;
  uploadRequestsFile(name: string, content: Buffer): Promise<string>;
  createBatch(inputFileId: string, metadata: Record<string, string>): Promise<BatchInfo>;
  retrieveBatch(batchId: string): Promise<BatchInfo>;
  cancelBatch(batchId: string): Promise<BatchInfo>;
  downloadFile(fileId: string): Promise<string>;
}

export function createOpenAIBatchApi(options: BatchEndpointOptions): BatchApi {
  const sdk = createSdk(options);

  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toEndpointError(error, action, options);
    }
  }

  return {
    baseUrl: options.baseUrl,
    async uploadRequestsFile(name, content) {
      const file = await call(`uploading ${name}`, async () =>
        sdk.files.create({ file: await toFile(content, name, { type: 'application/jsonl' }), purpose: 'batch' }),
      );
      return file.id;
    },
    async createBatch(inputFileId, metadata) {
      const batch = await call(`creating a batch for file ${inputFileId}`, () =>
        sdk.batches.create({
          input_file_id: inputFileId,
          endpoint: chatCompletionsUrl,
          completion_window: '24h',
          metadata,
        }),
      );
      return toBatchInfo(batch);
    },
    async retrieveBatch(batchId) {
      return toBatchInfo(await call(`retrieving batch ${batchId}`, () => sdk.batches.retrieve(batchId)));
    },
    async cancelBatch(batchId) {
      return toBatchInfo(await call(`cancelling batch ${batchId}`, () => sdk.batches.cancel(batchId)));
    },
    async downloadFile(fileId) {
      return call(`downloading file ${fileId}`, async () => (await sdk.files.content(fileId)).text());
    },
  };
}

function toBatchInfo(batch: OpenAI.Batches.Batch): BatchInfo {
  const counts = batch.request_counts;
  return {
    id: batch.id,
    status: batch.status,
    requestCounts:
      counts === undefined || counts === null
        ? null
        : { total: counts.total, completed: counts.completed, failed: counts.failed },
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    errors: (batch.errors?.data ?? []).map((error) =>
      [error.line === undefined || error.line === null ? null : `line ${error.line}`, error.code, error.message]
        .filter(Boolean)
        .join(': '),
    ),
  };
}

function toEndpointError(error: unknown, action: string, options: BatchEndpointOptions): EndpointError {
  const { baseUrl, apiKey } = options;
  const make = (message: string, extra: { status?: number; fatal?: boolean } = {}) =>
    new EndpointError(redact(message, apiKey), extra);
  if (error instanceof APIConnectionTimeoutError)
    return make(
      `cannot reach ${baseUrl} while ${action}: no answer within ${Math.round(options.timeoutMs / 1000)} s (see --timeout)`,
      { fatal: true },
    );
  if (error instanceof APIConnectionError)
    return make(`cannot reach ${baseUrl} while ${action}: ${connectionReason(error)}`, { fatal: true });
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const said = serverMessage(error);
    const detail = said === '' ? '' : `: ${said}`;
    if (status === 401 || status === 403) {
      const advice =
        apiKey === null ? 'no key was sent; set --api-key or OPENAI_API_KEY' : 'check --api-key / OPENAI_API_KEY';
      return make(`${baseUrl} refused the API key (${status}) while ${action}: ${advice}${detail}`, {
        status,
        fatal: true,
      });
    }
    if (status === 404 && action.startsWith('uploading')) {
      return make(
        `${baseUrl} answered 404 while ${action}: does this endpoint implement the Batch API (/v1/files, /v1/batches)?${detail}`,
        { status, fatal: true },
      );
    }
    return make(`${baseUrl} answered ${status} while ${action}${detail}`, { status, fatal: status === 404 });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return make(`${baseUrl} failed while ${action}: ${reason}`);
}

/** The server's own words: `{"error":{"message":...}}`, `{"error":"..."}`, or the SDK's message. */
function serverMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'string') return body;
  if (body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
    return (body as { message: string }).message;
  return error.message.replace(/^\d{3} /, '').replace(/^status code \(no body\)$/, '');
}

function connectionReason(error: Error): string {
  for (let current: unknown = error.cause, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (current.message && current.message !== 'fetch failed')
      return typeof code === 'string' && !current.message.includes(code)
        ? `${current.message} (${code})`
        : current.message;
    current = current.cause;
  }
  return 'connection failed';
}

/** One line, no key, no bearer token, at most 300 characters. */
function redact(text: string, apiKey: string | null): string {
  let clean = text.replace(/\s+/g, ' ').trim();
  if (apiKey) clean = clean.split(apiKey).join('***');
  clean = clean.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer ***');
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}
