/**
 * The Batch API adapter: upload a requests file (`POST /v1/files`, purpose `batch`), create, retrieve
 * and cancel batches (`/v1/batches`), download output and error files (`GET /v1/files/{id}/content`).
 * Besides src/core (the chat adapter and the error mapper), the only file that imports `openai`. Retries
 * and timeouts stay in the SDK; failures are mapped by src/core/openai-errors.ts, as the chat adapter's are.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { toEndpointError } from '../core/openai-errors.js';
import { createSdk } from '../core/openai-sdk.js';
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
      throw toEndpointError(error, {
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        timeoutMs: options.timeoutMs,
        action,
        attempts: null,
        // A Batch API call that times out or cannot connect ends the command: there is no other call to make.
        endpointAnswered: false,
        notFound: action.startsWith('uploading')
          ? ': does this endpoint implement the Batch API (/v1/files, /v1/batches)?'
          : '',
      });
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
