/**
 * Batch input lines: the request a strategy would send interactively, written as one line of the
 * Batch API's JSONL (`custom_id`, `method`, `url`, `body`) — the same format `vllm run-batch` reads —
 * and the rule that splits lines into files the API accepts. Pure: no I/O.
 */
import type { ChatRequest } from '../core/chat-client.js';
import { chatCompletionBody, type ChatCompletionBody } from '../core/chat-completion-request.js';

export const chatCompletionsUrl = '/v1/chat/completions';

/**
 * Per input file of the OpenAI Batch API: "The file can contain up to 50,000 requests, and can be up
 * to 200 MB in size." — OpenAI API reference, POST /v1/batches, `input_file_id`
 * (https://platform.openai.com/docs/api-reference/batch/create; quoted the same in openai-node 6.30.1,
 * src/resources/batches.ts, BatchCreateParams.input_file_id, and in Azure OpenAI's batches reference).
 * Older versions of that page said 100 MB. MB is read as 10^6 bytes, the stricter reading.
 * Other engines differ (vLLM's run-batch has no limit), hence --max-requests-per-file / --max-file-bytes.
 */
export const openAIBatchLimits: FileLimits = { maxRequests: 50_000, maxBytes: 200_000_000 };

export interface FileLimits {
  maxRequests: number;
  maxBytes: number;
}

export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: typeof chatCompletionsUrl;
  body: ChatCompletionBody;
}

/** The request a live call would send (chatCompletionBody), as one line of a batch input file. */
export function batchRequestLine(customId: string, model: string, request: ChatRequest): BatchRequestLine {
  return { custom_id: customId, method: 'POST', url: chatCompletionsUrl, body: chatCompletionBody(model, request) };
}

/** The line as written to a file, newline included; its byte length is what counts against the limit. */
export const serializeRequestLine = (line: BatchRequestLine): string => `${JSON.stringify(line)}\n`;

/**
 * Decides, line by line, when to start a new file: a file is closed before the line that would take it
 * past either limit. A single line larger than maxBytes still gets a file of its own (the API will
 * refuse it, and says which line; refusing here would hide every other request).
 */
export interface FileSplitter {
  /** Accounts for a line of `bytes` bytes; true when it must start a new file (always true for the first line). */
  startsNewFile(bytes: number): boolean;
}

export function createFileSplitter(limits: FileLimits): FileSplitter {
  let requests = 0;
  let bytes = 0;
  let any = false;
  return {
    startsNewFile(lineBytes) {
      const fresh = !any || requests + 1 > limits.maxRequests || bytes + lineBytes > limits.maxBytes;
      any = true;
      if (fresh) {
        requests = 0;
        bytes = 0;
      }
      requests += 1;
      bytes += lineBytes;
      return fresh;
    },
  };
}

/** Splits whole lines into files: the table-testable form of the splitter. */
export function splitIntoFiles(lineBytes: readonly number[], limits: FileLimits): number[][] {
  const splitter = createFileSplitter(limits);
  const files: number[][] = [];
  lineBytes.forEach((bytes, index) => {
    if (splitter.startsNewFile(bytes)) files.push([]);
    files.at(-1)!.push(index);
  });
  return files;
}

/** `requests-001.jsonl`, numbered across phases and resubmissions so no file is ever overwritten. */
export const requestFileName = (number: number): string => `requests-${String(number).padStart(3, '0')}.jsonl`;
