/**
 * Batch output lines — OpenAI's output and error files and `vllm run-batch` output share one shape:
 * `{id, custom_id, response: {status_code, request_id, body: <chat.completion>} | null, error}` —
 * read into answers (choices and usage) or failures, and answers turned into cache entries under
 * each sample's key. Pure: no I/O. Lenient like src/core/openai-client.ts: servers differ in extras.
 */
import { z } from 'zod';
import type { ChatChoice, Usage } from '../core/chat-client.js';
import { splitUsage, type CacheEntry } from '../core/cached-client.js';
import { readChatCompletion } from '../core/chat-completion-response.js';
import { oneLine } from '../core/redact.js';
import type { ManifestEntry } from './manifest.js';

export type BatchAnswer =
  | { customId: string; ok: true; choices: ChatChoice[]; usage: Usage }
  | { customId: string; ok: false; status: number | null; message: string };

/** One line of DIR/failures.jsonl: a request whose line failed and has not been resubmitted. */
export const failureSchema = z.object({
  customId: z.string(),
  phase: z.number().int().positive(),
  status: z.number().int().nullable(),
  message: z.string(),
});
export type BatchFailure = z.infer<typeof failureSchema>;

const outputLineSchema = z.object({
  custom_id: z.string().min(1),
  response: z.object({ status_code: z.number().nullish(), body: z.unknown().nullish() }).nullish(),
  error: z.unknown().nullish(),
});

/** Reads one output line; a string when the line is not an output line at all (the caller names file:line). */
export function parseOutputLine(value: unknown): BatchAnswer | string {
  const line = outputLineSchema.safeParse(value);
  if (!line.success) return `not a batch output line (needs "custom_id" and "response" or "error")`;
  const { custom_id: customId, response, error } = line.data;
  const status = response?.status_code ?? null;
  const failed = (message: string): BatchAnswer => ({ customId, ok: false, status, message: oneLine(message, 300) });
  if (hasValue(error) || response === null || response === undefined || (status !== null && status !== 200)) {
    return failed(errorMessage(error) ?? errorMessage(response?.body) ?? `status ${status ?? 'unknown'}`);
  }
  const completion = readChatCompletion(response.body);
  if ('problem' in completion) return failed('the response body is not a chat completion');
  if (completion.choices.length === 0) return failed('the response has no choices');
  return { customId, ok: true, ...completion };
}

/** Each returned choice (at most the n asked for) under its sample's key, the usage split as the cache splits it. */
export function cacheEntriesFor(
  entry: ManifestEntry,
  choices: readonly ChatChoice[],
  usage: Usage,
): Array<{ key: string; entry: CacheEntry }> {
  const received = choices.slice(0, entry.sampleKeys.length);
  const shares = splitUsage(usage, received.length);
  return received.map((choice, index) => ({ key: entry.sampleKeys[index]!, entry: { choice, usage: shares[index]! } }));
}

/** `"text"` (vLLM), `{message}` (OpenAI error file), `{error: {message}}` (an error body, vLLM's ErrorResponse). */
function errorMessage(error: unknown): string | null {
  if (typeof error === 'string' && error.trim() !== '') return error;
  if (error === null || typeof error !== 'object') return null;
  const record = error as Record<string, unknown>;
  if (typeof record.message === 'string')
    return typeof record.code === 'string' ? `${record.code}: ${record.message}` : record.message;
  return errorMessage(record.error);
}

const hasValue = (value: unknown): boolean => value !== null && value !== undefined && value !== '';
