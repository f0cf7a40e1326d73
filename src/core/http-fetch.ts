/**
 * The `fetch` the chat adapter hands to the openai SDK: node:http and node:https with keep-alive agents,
 * instead of the global fetch (undici).
 *
 * Why, and why it stays hand-written (kept for a measured reason: the libraries are the slower part): on
 * a dataset run the main thread's time per request decides how busy the endpoint can be kept. Profiled
 * at `-c 32` against a 100 ms loopback server (`npm run bench`), undici's fetch spent about 1.1 ms
 * of main-thread time per request (Request/Headers/WHATWG stream objects for every body), more than
 * everything else promptlab does per record; the runs missed the throughput target for that. The
 * SDK only needs what a non-streaming JSON call uses: status, headers, text/json. So the body is read
 * into one Buffer and handed back in a small Response-shaped object; a WHATWG stream is built only if
 * someone asks for `body`. That cut the CPU per request by about 30% (README, Performance).
 *
 * It keeps fetch's contract where the SDK relies on it: a network failure rejects with
 * TypeError('fetch failed', { cause }) carrying the socket error and its code, an aborted signal rejects
 * with an AbortError (at any point, body included), a connection cut after the headers fails the body
 * read with TypeError('terminated'), gzip/deflate/br bodies are decoded, and redirects are followed as
 * fetch does (303, and 301/302 after a POST, become a GET without body; Authorization is dropped when
 * the redirect leaves the origin). Bodies other than strings and bytes go to the global fetch.
 */
import http from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

const maxRedirects = 20;

/**
 * Idle keep-alive sockets are closed after this long. Many servers close theirs after 5 s (Node's
 * default keepAliveTimeout); a request written into a socket the server is closing at that moment fails.
 */
const idleSocketMs = 4_000;

export interface HttpFetchOptions {
  /** Called whenever a request has a connected socket (a new one once connected, a kept-alive one at once). */
  onConnect?: () => void;
}

export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const httpAgent = new http.Agent({ keepAlive: true, timeout: idleSocketMs });
  // node:https (and TLS) is loaded only for endpoints that use it.
  let https: Promise<{ request: typeof http.request; agent: HttpsAgent }> | undefined;
  const agentFor = async (url: URL) => {
    if (url.protocol === 'http:') return { request: http.request, agent: httpAgent };
    https ??= import('node:https').then((module) => ({
      request: module.request,
      agent: new module.Agent({ keepAlive: true, timeout: idleSocketMs }),
    }));
    return https;
  };

  const httpFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body ?? null;
    if (input instanceof Request || (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return globalThis.fetch(input, init);
    }
    let url = new URL(String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    let payload: Buffer | null = body === null ? null : Buffer.from(body);
    const headers = headerRecord(init.headers);
    for (let redirects = 0; ; redirects += 1) {
      const { request, agent } = await agentFor(url);
      const response = await send(
        request,
        agent,
        url,
        method,
        headers,
        payload,
        init.signal ?? null,
        options.onConnect,
      );
      const location = response.headers.location;
      if (!isRedirect(response.statusCode) || location === undefined || init.redirect === 'manual') {
        return new HttpResponse(response, url.href, init.signal ?? null) as unknown as Response;
      }
      response.resume();
      if (init.redirect === 'error' || redirects === maxRedirects)
        throw new TypeError('fetch failed', { cause: new Error(`redirect to ${location} not followed`) });
      const next = new URL(location, url);
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET';
        payload = null;
        delete headers['content-type'];
      }
      if (next.origin !== url.origin) delete headers.authorization;
      url = next;
    }
  };
  return httpFetch as typeof fetch;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  // new Headers() accepts every form fetch does (Headers, pairs, a record) and lower-cases the names.
  if (headers !== undefined) for (const [name, value] of new Headers(headers)) record[name] = value;
  return record;
}

const isRedirect = (status: number | undefined) =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error && signal.reason.name === 'AbortError'
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
}

/** One HTTP exchange up to the response headers. */
function send(
  request: typeof http.request,
  agent: http.Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: Buffer | null,
  signal: AbortSignal | null,
  onConnect: (() => void) | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const outgoing = { ...headers, ...(payload !== null && { 'content-length': String(payload.length) }) };
    const client = request(url, { method, headers: outgoing, agent });
    if (onConnect !== undefined)
      client.once('socket', (socket) => {
        if (socket.connecting) socket.once('connect', onConnect);
        else onConnect();
      });
    const onAbort = () => {
      client.destroy();
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('response', (response) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(response);
    });
    client.on('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('fetch failed', { cause: plainReason(error) }));
    });
    client.end(payload ?? undefined);
  });
}

/** Node says "socket hang up" when the server closes a connection without answering; say what happened. */
function plainReason(error: NodeJS.ErrnoException): Error {
  if (error.message !== 'socket hang up') return error;
  return Object.assign(new Error('the server closed the connection without answering'), { code: error.code });
}

/** The parts of a fetch Response the SDK and this project read, over a fully buffered body. */
class HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected = false;
  readonly type = 'basic';
  readonly headers: Headers;
  bodyUsed = false;
  readonly #bytes: Promise<Buffer>;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(message: IncomingMessage, url: string, signal: AbortSignal | null) {
    this.status = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.url = url;
    this.headers = new ResponseHeaders(message.headers) as unknown as Headers;
    this.#bytes = readBody(message, signal);
    // Nobody may read a body (a retried error response): its failure must not surface as unhandled.
    this.#bytes.catch(() => undefined);
  }

  get body(): ReadableStream<Uint8Array> | null {
    this.#stream ??= new ReadableStream({
      pull: async (controller) => {
        controller.enqueue(new Uint8Array(await this.#consume()));
        controller.close();
      },
    });
    return this.#stream;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.#consume()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  #consume(): Promise<Buffer> {
    if (this.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.bodyUsed = true;
    return this.#bytes;
  }
}

/**
 * Read-only response headers with the Headers methods, over what node:http parsed (names lower-case,
 * repeated headers joined with ", " as fetch joins them). Iterable as [name, value] pairs, so
 * `new Headers(response.headers)` copies it.
 */
class ResponseHeaders {
  readonly #values = new Map<string, string>();

  constructor(parsed: IncomingMessage['headers']) {
    for (const name of Object.keys(parsed).sort()) {
      const value = parsed[name];
      if (value !== undefined) this.#values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string, headers: this) => void): void {
    for (const [name, value] of this.#values) callback(value, name, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.#values.entries();
  }

  keys(): IterableIterator<string> {
    return this.#values.keys();
  }

  values(): IterableIterator<string> {
    return this.#values.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

function readBody(message: IncomingMessage, signal: AbortSignal | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const decoded = decode(message);
    const chunks: Buffer[] = [];
    const onAbort = () => {
      message.destroy();
      reject(abortError(signal!));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (error?: Error) => {
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      else reject(new TypeError('terminated', { cause: error }));
    };
    decoded.on('data', (chunk: Buffer) => chunks.push(chunk));
    decoded.on('end', () => finish());
    decoded.on('error', finish);
    // A connection closed before the whole body came: the message closes incomplete, with no 'end'.
    message.on('close', () => {
      if (!message.complete)
        finish(Object.assign(new Error('the server closed the connection mid-answer'), { code: 'ECONNRESET' }));
    });
    if (decoded !== message) message.on('error', finish);
  });
}

function decode(message: IncomingMessage): Readable {
  const encoding = message.headers['content-encoding']?.trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip')
    return message.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH }));
  if (encoding === 'deflate') return message.pipe(zlib.createInflate());
  if (encoding === 'br') return message.pipe(zlib.createBrotliDecompress());
  return message;
}
