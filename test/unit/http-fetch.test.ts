/** The node:http fetch keeps the parts of fetch's contract the SDK relies on. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../src/core/http-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let base: string;
/** A second server, so a redirect can leave the origin. */
let other: Server;
let otherBase: string;

const routes: Record<string, (response: ServerResponse) => void> = {
  '/json': (response) =>
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' }).end('{"ok":true}'),
  '/gzip': (response) => response.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync('zipped')),
  '/deflate': (response) =>
    response.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateSync('deflated')),
  '/br': (response) => response.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync('brotli')),
  '/repeated': (response) =>
    response
      .writeHead(200, [
        ['x-thing', 'a'],
        ['x-thing', 'b'],
      ])
      .end(''),
  '/307': (response) => response.writeHead(307, { location: '/echo' }).end(),
  '/303': (response) => response.writeHead(303, { location: '/echo' }).end(),
  '/302': (response) => response.writeHead(302, { location: '/echo' }).end(),
  '/away': (response) => response.writeHead(307, { location: `${otherBase}/echo` }).end(),
  '/loop': (response) => response.writeHead(307, { location: '/loop' }).end(),
  '/echo': (response) => response.writeHead(200).end('echoed'),
  '/cut': (response) => {
    response.writeHead(200, { 'content-length': '100' });
    response.write('only part');
    setTimeout(() => response.socket?.destroy(), 20);
  },
  '/slow-body': (response) => {
    response.writeHead(200, { 'content-length': '100' });
    response.write('first part');
  },
  '/hang-up': (response) => response.socket?.destroy(),
};

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<[Server, string]> {
  const created = createServer(handler);
  created.listen(0, '127.0.0.1');
  await once(created, 'listening');
  return [created, `http://127.0.0.1:${(created.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  [server, base] = await listen((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      routes[request.url!]!(response);
    });
  });
  [other, otherBase] = await listen((request, response) => {
    seen.push({ method: request.method!, url: `other${request.url}`, headers: request.headers, body: '' });
    response.end('elsewhere');
  });
});

afterAll(() => {
  server.closeAllConnections();
  other.closeAllConnections();
  server.close();
  other.close();
});

const httpFetch = createHttpFetch();
const post = {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
  body: '{"q":1}',
};

describe('answers', () => {
  it('status, headers and a JSON body', async () => {
    const response = await httpFetch(`${base}/json`, post);
    expect([
      response.status,
      response.ok,
      response.headers.get('X-Request-Id'),
      response.headers.get('content-type'),
    ]).toEqual([200, true, 'req-1', 'application/json']);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"q":1}',
      headers: { 'content-type': 'application/json', 'content-length': '7' },
    });
  });

  it('a body can be read once', async () => {
    const response = await httpFetch(`${base}/json`, post);
    await response.text();
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('repeated headers are joined as fetch joins them, and the headers copy into a Headers', async () => {
    const response = await httpFetch(`${base}/repeated`);
    expect(response.headers.get('x-thing')).toBe('a, b');
    expect(new Headers(response.headers).get('x-thing')).toBe('a, b');
  });

  it('the body is also there as a stream', async () => {
    const response = await httpFetch(`${base}/json`);
    expect(await new Response(response.body).text()).toBe('{"ok":true}');
  });

  it.each([
    ['/gzip', 'zipped'],
    ['/deflate', 'deflated'],
    ['/br', 'brotli'],
  ])('%s bodies are decoded', async (path, text) => {
    expect(await (await httpFetch(`${base}${path}`)).text()).toBe(text);
  });
});

describe('redirects, as fetch follows them', () => {
  it.each([
    { path: '/307', method: 'POST', body: '{"q":1}' },
    { path: '/303', method: 'GET', body: '' },
    { path: '/302', method: 'GET', body: '' },
  ])('$path after a POST: $method to the new place', async ({ path, method, body }) => {
    const response = await httpFetch(`${base}${path}`, post);
    expect(await response.text()).toBe('echoed');
    expect(seen.at(-1)).toMatchObject({ url: '/echo', method, body });
  });

  it('the key is not sent to another origin', async () => {
    const response = await httpFetch(`${base}/away`, post);
    expect(await response.text()).toBe('elsewhere');
    expect(seen.at(-1)!.url).toBe('other/echo');
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('a redirect loop fails after 20', async () => {
    const error = await httpFetch(`${base}/loop`).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
  });
});

describe('failures keep the shapes fetch gives them', () => {
  it('a refused connection: TypeError("fetch failed") with the socket error and its code as cause', async () => {
    const [closed, closedBase] = await listen(() => undefined);
    closed.close();
    await once(closed, 'close');
    const error = (await httpFetch(`${closedBase}/json`).catch((reason: unknown) => reason)) as TypeError & {
      cause: { code: string };
    };
    expect([error.constructor, error.message, error.cause.code]).toEqual([TypeError, 'fetch failed', 'ECONNREFUSED']);
  });

  it('a connection closed without an answer says so', async () => {
    const error = (await httpFetch(`${base}/hang-up`).catch((reason: unknown) => reason)) as TypeError & {
      cause: { message: string; code: string };
    };
    expect([error.message, error.cause.message, error.cause.code]).toEqual([
      'fetch failed',
      'the server closed the connection without answering',
      'ECONNRESET',
    ]);
  });

  it('a body cut short fails the read with TypeError("terminated")', async () => {
    const response = await httpFetch(`${base}/cut`);
    const error = await response.text().catch((reason: unknown) => reason);
    expect([(error as Error).constructor, (error as Error).message]).toEqual([TypeError, 'terminated']);
  });

  it.each([
    ['before the request', true],
    ['while the body is coming', false],
  ])('an abort %s rejects with an AbortError', async (_when, early) => {
    const controller = new AbortController();
    if (early) controller.abort();
    const reading = httpFetch(`${base}/slow-body`, { signal: controller.signal }).then((response) => response.text());
    if (!early) setTimeout(() => controller.abort(), 30);
    const error = await reading.catch((reason: unknown) => reason);
    expect((error as Error).name).toBe('AbortError');
  });
});
