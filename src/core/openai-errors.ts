/**
 * The one error mapper: every failure of an openai SDK call — the chat adapter's (openai-client.ts) and
 * the Batch API adapter's (src/batch/openai-batch-client.ts) — becomes a one-line EndpointError that
 * names the base URL, says what was being done and whether retrying elsewhere can help, and never holds
 * the key (every text goes through redact.ts).
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { EndpointError } from '../errors.js';
import { redact } from './redact.js';
import { isRetryableStatus } from './retryable-status.js';

/** What the failed call was. */
export interface FailedCall {
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  /** What was being done, for calls that are one step of several (`uploading requests-001.jsonl`); null for a chat call. */
  action: string | null;
  /** HTTP requests the call made, retries included; null when not counted (the Batch API calls). */
  attempts: number | null;
  /** Whether any call of this run has had an HTTP response yet: a timeout after that is one slow call. */
  endpointAnswered: boolean;
  /** Whether a connection to the endpoint was ever made (null: not known): a server that is up but slow is no "cannot reach". */
  endpointConnected?: boolean | null;
  /** What a 404 means here, appended to "answered 404" (the model is unknown, or the Batch API is missing). */
  notFound: string;
}

/** A server's words are kept to this many characters: enough to read, never a page of HTML. */
const serverWordsLimit = 200;

export function toEndpointError(error: unknown, call: FailedCall): EndpointError {
  const { baseUrl, apiKey } = call;
  const during = call.action === null ? '' : ` while ${call.action}`;
  const tries = call.attempts === null ? null : call.attempts === 1 ? '1 attempt' : `${call.attempts} attempts`;
  const triesNote = tries === null ? '' : ` (${tries})`;
  const endpointError = (message: string, extra: { status?: number; fatal?: boolean; serverSaid?: string } = {}) =>
    new EndpointError(redact(message, [apiKey]), {
      ...extra,
      ...(call.attempts !== null && { requests: call.attempts }),
      cause: safeCause(error, apiKey),
    });

  // Timeouts and dropped connections end the run only while the endpoint has never answered (a wrong
  // port, a host that swallows packets); once it has, they belong to one slow or unlucky call. A refused
  // connection or an unknown host ends the run whenever it happens: the endpoint is gone.
  if (error instanceof APIUserAbortError) return endpointError(`request to ${baseUrl} was aborted${during}`);
  if (error instanceof APIConnectionTimeoutError) {
    const seconds = Math.round(call.timeoutMs / 100) / 10;
    const connected = call.endpointConnected ?? null;
    const who = call.endpointAnswered
      ? `${baseUrl} did not answer${during}`
      : connected === true
        ? `${baseUrl} accepted the connection but sent no answer${during}`
        : connected === false
          ? `cannot reach ${baseUrl}${during}: no connection`
          : `${baseUrl} sent no answer${during}`;
    return endpointError(`${who} within ${seconds} s (${tries === null ? '' : `${tries}; `}see --timeout)`, {
      fatal: !call.endpointAnswered,
    });
  }
  if (error instanceof APIConnectionError) {
    const dropped = call.endpointAnswered && isDroppedConnection(error);
    const message = dropped
      ? `${baseUrl} dropped the connection${during}: ${connectionReason(error)}${triesNote}`
      : `cannot reach ${baseUrl}${during}: ${connectionReason(error)}${triesNote}`;
    return endpointError(message, { fatal: !dropped });
  }
  // The server closed the connection while the body was still coming (fetch's "terminated", as http-fetch.ts keeps it); not retried by the SDK.
  if (error instanceof TypeError && error.message === 'terminated') {
    return endpointError(`${baseUrl} closed the connection before the answer was complete${during}${triesNote}`);
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const detail = serverMessage(error, apiKey);
    const said = detail ? `: ${detail}` : '';
    if (status === 401 || status === 403) {
      const advice =
        apiKey === null ? 'no key was sent; set --api-key or OPENAI_API_KEY' : 'check --api-key / OPENAI_API_KEY';
      return endpointError(`${baseUrl} refused the API key (${status})${during}: ${advice}${said}`, {
        status,
        fatal: true,
      });
    }
    if (status === 404)
      return endpointError(`${baseUrl} answered 404${during}${call.notFound}${said}`, { status, fatal: true });
    // The server does not do this at all: every record would fail the same way (not retried: openai-client.ts).
    if (isNotImplemented(status, detail))
      return endpointError(
        `${baseUrl} answered ${status} (${status === 405 ? 'method not allowed' : 'not implemented'})${during}${said}`,
        { status, fatal: true },
      );
    // The Batch API calls count no attempts: there, every other status is the answer as it came.
    if (tries !== null && (status === 400 || status === 422))
      return endpointError(`${baseUrl} rejected the request (${status})${said}`, { status, serverSaid: detail });
    if (tries !== null && isRetryableStatus(status)) {
      return endpointError(`${baseUrl}: retries exhausted after ${tries} (${status})${said}`, { status });
    }
    return endpointError(`${baseUrl} answered ${status}${during}${said}`, { status });
  }
  // A JSON Content-Type over a body that is not JSON surfaces as a SyntaxError from the SDK's parser.
  if (error instanceof SyntaxError) return malformedResponse(call, 'body is not valid JSON', call.attempts);
  const reason = error instanceof Error ? error.message : String(error);
  return endpointError(`${baseUrl} failed${during}: ${redact(reason, [apiKey], serverWordsLimit)}`);
}

/**
 * A status that says the server does not implement what was asked, rather than that it failed this
 * time: 501, 405, or a 500 whose body says "not implemented" (Python servers' NotImplementedError).
 */
export function isNotImplemented(status: number, body: string): boolean {
  return status === 501 || status === 405 || (status === 500 && /not[ _-]?implemented/i.test(body));
}

/** An answer that came back but cannot be used (not JSON, not the shape asked for). */
export function malformedResponse(
  call: Pick<FailedCall, 'baseUrl' | 'apiKey'>,
  detail: string,
  requests: number | null,
): EndpointError {
  return new EndpointError(redact(`${call.baseUrl} sent a malformed response: ${detail}`, [call.apiKey]), {
    ...(requests !== null && { requests }),
  });
}

/** The start of a body that is not JSON, for the malformed-response message. */
export const bodyStart = (body: string, apiKey: string | null): string => redact(body, [apiKey], 40);

/** The server's own words: `{"error":{"message":...}}`, `{"error":"..."}` (Ollama), or raw text. */
function serverMessage(error: APIError, apiKey: string | null): string {
  const body: unknown = error.error;
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    text = typeof message === 'string' ? message : JSON.stringify(message);
  } else text = error.message.replace(/^\d{3} /, '').replace(/^status code \(no body\)$/, '');
  return redact(text, [apiKey], serverWordsLimit);
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

/** Keep the SDK error for --debug, unless its messages could carry the key or a token. */
function safeCause(error: unknown, apiKey: string | null): unknown {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if ((apiKey && current.message.includes(apiKey)) || /Bearer\s/i.test(current.message)) return undefined;
    current = current.cause;
  }
  return error;
}
