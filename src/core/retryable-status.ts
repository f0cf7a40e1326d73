/**
 * Statuses worth asking again (timeouts, conflicts, throttling, server errors), as the openai SDK retries
 * them: the error mapper says "retries exhausted" for these, and a batch line that failed with one can be
 * resubmitted. In a file of its own so batch code can ask without loading the SDK.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
