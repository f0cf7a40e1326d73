/**
 * How promptlab constructs the openai SDK, for both adapters that use it (chat in openai-client.ts,
 * the Batch API in src/batch/openai-batch-client.ts), so key handling and logging cannot drift apart.
 */
import OpenAI from 'openai';

export interface SdkOptions {
  baseUrl: string;
  /** null: send no Authorization header at all (local servers). */
  apiKey: string | null;
  timeoutMs: number;
  maxRetries: number;
  fetch?: typeof fetch | undefined;
}

export function createSdk(options: SdkOptions): OpenAI {
  return new OpenAI({
    baseURL: options.baseUrl,
    // The SDK refuses to start without a key; local servers need none, so pass a placeholder and
    // remove the header it would produce (a null default header deletes it, see internal/headers.js).
    apiKey: options.apiKey ?? 'no-key',
    defaultHeaders: options.apiKey === null ? { Authorization: null } : undefined,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
    // The SDK otherwise logs to the console on OPENAI_LOG; our output on stdout/stderr is a contract.
    logLevel: 'off',
  });
}
