import { getEventListeners } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/core/chat-client.js';
import { APIConnectionTimeoutError } from 'openai';
import { createOpenAIChatClient, type OpenAIClientOptions } from '../../src/core/openai-client.js';
import { toEndpointError } from '../../src/core/openai-errors.js';
import { failureOf } from '../support/failure-of.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/openai-test-server.js';

const CANARY_KEY = 'sk-canary-7f3e9a1b2c4d5e6f';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(serverOptions: TestServerOptions = {}, clientOptions: Partial<OpenAIClientOptions> = {}) {
  server = await startTestServer(serverOptions);
  const client = createOpenAIChatClient({
    baseUrl: server.url,
    apiKey: null,
    model: 'test-model',
    timeoutMs: 5_000,
    maxRetries: 2,
    maxRetryWaitMs: 60_000,
    ...clientOptions,
  });
  return { client, server };
}

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [{ role: 'user', content: 'What is 6 times 7?' }],
  temperature: 0,
  ...extra,
});

/** A fetch that records each JSON body sent, then really sends it. */
function recordingFetch(bodies: Array<Record<string, unknown>>): typeof fetch {
  return async (input, init) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    return fetch(input, init);
  };
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('chat: what comes back', () => {
  it.each([
    { nMode: 'honour' as const, n: 3, expectedChoices: 3, expectedCompletionTokens: 15 },
    { nMode: 'ignore' as const, n: 3, expectedChoices: 1, expectedCompletionTokens: 5 },
    { nMode: 'honour' as const, n: 1, expectedChoices: 1, expectedCompletionTokens: 5 },
  ])(
    'nMode $nMode with n=$n gives $expectedChoices choices',
    async ({ nMode, n, expectedChoices, expectedCompletionTokens }) => {
      const { client } = await clientFor({
        nMode,
        reply: (_call, index) => `Sample ${index}`,
        usagePerChoice: { prompt: 10, completion: 5 },
      });
      const response = await client.chat(ask({ n }));
      expect(response.choices).toEqual(
        Array.from({ length: expectedChoices }, (_, index) => ({ text: `Sample ${index}`, finishReason: 'stop' })),
      );
      expect(response.usage).toEqual({
        promptTokens: 10,
        completionTokens: expectedCompletionTokens,
        totalTokens: 10 + expectedCompletionTokens,
      });
      expect(response.requests).toBe(1);
    },
  );

  it('reports the model it was given', async () => {
    const { client, server } = await clientFor();
    await client.chat(ask());
    expect(client.model).toBe('test-model');
    expect(server.calls[0]?.model).toBe('test-model');
  });
});

describe('chat: what is sent', () => {
  it.each([
    { request: ask(), expected: { temperature: 0 }, absent: ['n', 'seed', 'stop', 'max_tokens'] },
    { request: ask({ n: 1 }), expected: {}, absent: ['n'] },
    { request: ask({ n: 4, temperature: 0.7 }), expected: { n: 4, temperature: 0.7 }, absent: [] },
    { request: ask({ seed: 0 }), expected: { seed: 0 }, absent: [] },
    { request: ask({ maxTokens: 64 }), expected: { max_tokens: 64 }, absent: ['max_completion_tokens'] },
    { request: ask({ stop: ['\n\n'] }), expected: { stop: ['\n\n'] }, absent: [] },
    { request: ask({ stop: [] }), expected: {}, absent: ['stop'] },
  ])('body for %j', async ({ request, expected, absent }) => {
    const bodies: Array<Record<string, unknown>> = [];
    const { client } = await clientFor({}, { fetch: recordingFetch(bodies) });
    await client.chat(request);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ model: 'test-model', messages: request.messages, ...expected });
    for (const key of absent) expect(bodies[0]).not.toHaveProperty(key);
    expect(bodies[0]).not.toHaveProperty('stream', true);
  });

  it.each([
    { apiKey: null, expectedHeader: undefined },
    { apiKey: 'local-key', expectedHeader: 'Bearer local-key' },
  ])('apiKey $apiKey sends Authorization $expectedHeader', async ({ apiKey, expectedHeader }) => {
    const { client, server } = await clientFor({}, { apiKey });
    await client.chat(ask());
    expect(server.calls[0]?.headers.authorization).toBe(expectedHeader);
  });
});

describe('chat: errors', () => {
  it('a refused key is fatal, names the URL and never the key', async () => {
    const { client, server } = await clientFor({ apiKey: 'the-right-key' }, { apiKey: CANARY_KEY });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url} refused the API key (401): check --api-key / OPENAI_API_KEY: Incorrect API key provided: Bearer ***`,
    );
    expect({ status: error.status, fatal: error.fatal }).toEqual({ status: 401, fatal: true });
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(
      CANARY_KEY,
    );
    expect(server.counts.chat).toBe(1);
  });

  it('no key sent to a server that wants one says so', async () => {
    const { client, server } = await clientFor({ apiKey: 'the-right-key' });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url} refused the API key (401): no key was sent; set --api-key or OPENAI_API_KEY: Incorrect API key provided: (none)`,
    );
  });

  it('a server message that echoes the key loses it', async () => {
    const echo = `bad request from key ${CANARY_KEY} with header Authorization: Bearer ${CANARY_KEY}`;
    const { client, server } = await clientFor(
      { respond: () => ({ status: 400, body: JSON.stringify({ error: { message: echo } }) }) },
      { apiKey: CANARY_KEY },
    );
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url} rejected the request (400): bad request from key *** with header Authorization: Bearer ***`,
    );
    expect(error.cause).toBeUndefined();
  });

  it('n rejected by the server maps to a 400 rejection, not retried', async () => {
    const { client, server } = await clientFor({ nMode: 'reject' });
    const error = await failureOf(client.chat(ask({ n: 5 })));
    expect(error.message).toBe(`${server.url} rejected the request (400): 'n' > 1 is not supported`);
    expect({ status: error.status, fatal: error.fatal, calls: server.counts.chat }).toEqual({
      status: 400,
      fatal: false,
      calls: 1,
    });
  });

  it.each([
    {
      body: JSON.stringify({ error: { message: 'The model `nope` does not exist' } }),
      said: 'The model `nope` does not exist',
    },
    { body: JSON.stringify({ error: "model 'nope' not found" }), said: "model 'nope' not found" },
  ])('404 names the model and the base URL: $said', async ({ body, said }) => {
    const { client, server } = await clientFor({ respond: () => ({ status: 404, body }) });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url} answered 404 for model "test-model": check --model and --base-url (usually ending in /v1): ${said}`,
    );
    expect({ status: error.status, fatal: error.fatal }).toEqual({ status: 404, fatal: true });
  });

  it('an unreachable port is a fatal error naming the URL', async () => {
    const port = await unusedPort();
    const baseUrl = `http://127.0.0.1:${port}/v1`;
    const client = createOpenAIChatClient({
      baseUrl,
      apiKey: CANARY_KEY,
      model: 'm',
      timeoutMs: 2_000,
      maxRetries: 0,
      maxRetryWaitMs: 0,
    });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toMatch(
      new RegExp(`^cannot reach ${baseUrl.replace(/\./g, '\\.')}: .*ECONNREFUSED.* \\(1 attempt\\)$`),
    );
    expect(error.fatal).toBe(true);
    expect(error.message).not.toContain(CANARY_KEY);
  });

  it('a server slower than the timeout is up, not unreachable: it took the connection and sent no answer', async () => {
    const { client, server } = await clientFor({ latencyMs: 1_000 }, { timeoutMs: 100, maxRetries: 0 });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url} accepted the connection but sent no answer within 0.1 s (1 attempt; see --timeout)`,
    );
    // Nothing has answered yet: the run ends rather than wait out every record's timeout.
    expect(error.fatal).toBe(true);
  });

  it.each([
    [false, false, 'cannot reach http://x/v1: no connection within 2 s (1 attempt; see --timeout)'],
    [true, false, 'http://x/v1 accepted the connection but sent no answer within 2 s (1 attempt; see --timeout)'],
    [null, false, 'http://x/v1 sent no answer within 2 s (1 attempt; see --timeout)'],
    [true, true, 'http://x/v1 did not answer within 2 s (1 attempt; see --timeout)'],
  ])('a timeout, connected %s, answered before %s: %s', (endpointConnected, endpointAnswered, message) => {
    const error = toEndpointError(new APIConnectionTimeoutError(), {
      baseUrl: 'http://x/v1',
      apiKey: null,
      timeoutMs: 2_000,
      action: null,
      attempts: 1,
      endpointAnswered,
      endpointConnected,
      notFound: '',
    });
    expect([error.message, error.fatal]).toEqual([message, !endpointAnswered]);
  });

  it('retries exhausted on 5xx says how many attempts were made', async () => {
    const { client, server } = await clientFor({
      respond: () => ({
        status: 503,
        body: '<html>\n<h1>Service   Unavailable</h1></html>',
        headers: { 'content-type': 'text/html', 'retry-after-ms': '5' },
      }),
    });
    const error = await failureOf(client.chat(ask()));
    expect(error.message).toBe(
      `${server.url}: retries exhausted after 3 attempts (503): <html> <h1>Service Unavailable</h1></html>`,
    );
    expect({ status: error.status, calls: server.counts.chat }).toEqual({ status: 503, calls: 3 });
  });

  it('an aborted call rejects with the abort reason', async () => {
    const { client } = await clientFor({ latencyMs: 2_000 });
    const controller = new AbortController();
    const pending = client.chat(ask(), controller.signal);
    setTimeout(() => controller.abort(new Error('user interrupted')), 50);
    await expect(pending).rejects.toThrow('user interrupted');
  });

  it("leaves no abort listener on the caller's signal once calls finish (a run-long signal must not grow)", async () => {
    const { client } = await clientFor({
      respond: (_call, requestNumber) =>
        requestNumber === 2 ? { status: 400, body: '{"error":{"message":"no"}}' } : null,
    });
    const runSignal = new AbortController().signal;
    await client.chat(ask(), runSignal);
    await failureOf(client.chat(ask(), runSignal));
    await client.embed(['x'], runSignal);
    expect(getEventListeners(runSignal, 'abort')).toHaveLength(0);
  });
});

describe('chat: retries and throttling', () => {
  it('counts every HTTP request of a call, retries included', async () => {
    const { client, server } = await clientFor({
      respond: (_call, requestNumber) =>
        requestNumber === 1
          ? { status: 500, body: '{"error":{"message":"boom"}}', headers: { 'retry-after-ms': '5' } }
          : null,
    });
    const first = await client.chat(ask());
    const second = await client.chat(ask());
    expect([first.requests, second.requests, server.counts.chat]).toEqual([2, 1, 3]);
    expect(first.choices[0]?.text).toBe('The answer is 42.');
  });

  it.each([
    { name: 'retry-after seconds', headers: () => ({ 'retry-after': '120' }), askedMs: 120_000 },
    { name: 'retry-after-ms', headers: () => ({ 'retry-after-ms': '90000' }), askedMs: 90_000 },
    {
      name: 'retry-after date',
      headers: () => ({ 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }),
      askedMs: 3_600_000,
    },
  ])('a long $name wait is capped at maxRetryWaitMs and reported', async ({ headers, askedMs }) => {
    const throttles: Array<{ status: number; retryAfterMs: number | null }> = [];
    const { client } = await clientFor(
      {
        respond: (_call, requestNumber) =>
          requestNumber === 1 ? { status: 429, body: '{"error":{"message":"slow down"}}', headers: headers() } : null,
      },
      { maxRetryWaitMs: 200, onThrottle: (info) => throttles.push(info) },
    );
    const started = Date.now();
    const response = await client.chat(ask());
    const elapsed = Date.now() - started;
    expect(response.requests).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5_000);
    expect(throttles).toHaveLength(1);
    expect(throttles[0]?.status).toBe(429);
    // Dates are second-granular, so allow the clock to have moved.
    expect(Math.abs((throttles[0]?.retryAfterMs ?? 0) - askedMs)).toBeLessThan(2_000);
  });

  it('a short retry-after is left alone; a 503 with one is reported, a bare 500 is not', async () => {
    const throttles: Array<{ status: number; retryAfterMs: number | null }> = [];
    const statuses = [503, 500];
    const { client } = await clientFor(
      {
        respond: (_call, requestNumber) => {
          const status = statuses[requestNumber - 1];
          if (status === undefined) return null;
          const headers: Record<string, string> =
            status === 503 ? { 'retry-after': '0.05' } : { 'retry-after-ms': '1' };
          return { status, body: '{}', headers };
        },
      },
      { maxRetryWaitMs: 10_000, onThrottle: (info) => throttles.push(info) },
    );
    const response = await client.chat(ask());
    expect(response.requests).toBe(3);
    expect(throttles).toEqual([{ status: 503, retryAfterMs: 50 }]);
  });
});

describe('chat: malformed and odd responses', () => {
  const answer = (body: unknown, contentType = 'application/json'): TestServerOptions => ({
    respond: () => ({
      status: 200,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': contentType },
    }),
  });

  it.each([
    { name: 'no choices', options: answer({ id: 'x' }), detail: 'choices: ' },
    { name: 'choices not an array', options: answer({ choices: 'all of them' }), detail: 'choices: ' },
    {
      name: 'content not a string',
      options: answer({ choices: [{ message: { content: 42 } }] }),
      detail: 'choices.0.message.content: ',
    },
    {
      name: 'text body',
      options: answer('<html>hello</html>', 'text/html'),
      detail: 'not JSON (starts "<html>hello</html>")',
    },
    {
      name: 'broken JSON body',
      options: answer('{"choices": [', 'application/json'),
      detail: 'body is not valid JSON',
    },
  ])('$name is a malformed response', async ({ options, detail }) => {
    const { client, server } = await clientFor(options);
    const error = await failureOf(client.chat(ask()));
    expect(error.message.startsWith(`${server.url} sent a malformed response: ${detail}`)).toBe(true);
    expect(error.fatal).toBe(false);
  });

  it.each([
    { name: 'zero choices', body: { choices: [] }, choices: [], usage: [0, 0, 0] },
    {
      name: 'null content keeps its finish reason',
      body: { choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'length' }] },
      choices: [{ text: '', finishReason: 'length' }],
      usage: [0, 0, 0],
    },
    {
      name: 'a refusal reads as empty text',
      body: { choices: [{ index: 0, message: { content: null, refusal: 'I cannot help with that.' } }] },
      choices: [{ text: '', finishReason: 'refusal' }],
      usage: [0, 0, 0],
    },
    {
      name: 'a refusal keeps a given finish reason',
      body: { choices: [{ index: 0, message: { content: null, refusal: 'No.' }, finish_reason: 'content_filter' }] },
      choices: [{ text: '', finishReason: 'content_filter' }],
      usage: [0, 0, 0],
    },
    {
      name: 'choices come back in index order, missing finish reason is null',
      body: {
        choices: [
          { index: 1, message: { content: 'B' }, finish_reason: 'stop' },
          { index: 0, message: { content: 'A' } },
        ],
        usage: { prompt_tokens: 7, completion_tokens: 3 },
      },
      choices: [
        { text: 'A', finishReason: null },
        { text: 'B', finishReason: 'stop' },
      ],
      usage: [7, 3, 10],
    },
    {
      name: 'usage of the wrong shape reads as zeros',
      body: { choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }], usage: 'lots' },
      choices: [{ text: 'ok', finishReason: 'stop' }],
      usage: [0, 0, 0],
    },
  ])('$name', async ({ body, choices, usage }) => {
    const { client } = await clientFor(answer(body));
    const response = await client.chat(ask());
    expect(response.choices).toEqual(choices);
    expect([response.usage.promptTokens, response.usage.completionTokens, response.usage.totalTokens]).toEqual(usage);
  });
});

describe('embed', () => {
  it('returns one vector per text, from the test server, as floats', async () => {
    const { client, server } = await clientFor({ embed: (text) => [text.length, 1] });
    const result = await client.embed(['a', 'bbb', 'cc']);
    expect(result.vectors).toEqual([
      [1, 1],
      [3, 1],
      [2, 1],
    ]);
    expect(result.requests).toBe(1);
    expect(server.counts.embeddings).toBe(1);
  });

  it('orders vectors by index whatever order the server used', async () => {
    const shuffled = {
      object: 'list',
      data: [
        { object: 'embedding', index: 2, embedding: [2] },
        { object: 'embedding', index: 0, embedding: [0] },
        { object: 'embedding', index: 1, embedding: [1] },
      ],
      usage: { prompt_tokens: 6, total_tokens: 6 },
    };
    const client = createOpenAIChatClient({
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: null,
      model: 'embedder',
      timeoutMs: 1_000,
      maxRetries: 0,
      maxRetryWaitMs: 0,
      fetch: async () => new Response(JSON.stringify(shuffled), { headers: { 'content-type': 'application/json' } }),
    });
    const result = await client.embed(['x', 'y', 'z']);
    expect(result.vectors).toEqual([[0], [1], [2]]);
    expect(result.usage).toEqual({ promptTokens: 6, completionTokens: 0, totalTokens: 6 });
  });

  it('makes no request for no texts', async () => {
    const { client, server } = await clientFor();
    const result = await client.embed([]);
    expect([result.vectors, result.requests, server.counts.total]).toEqual([[], 0, 0]);
  });

  it('a 404 on embeddings says the endpoint may not serve them', async () => {
    server = await startTestServer();
    const wrongPath = createOpenAIChatClient({
      baseUrl: server.url.replace(/\/v1$/, '/v2'),
      apiKey: null,
      model: 'embedder',
      timeoutMs: 1_000,
      maxRetries: 0,
      maxRetryWaitMs: 0,
    });
    const error = await failureOf(wrongPath.embed(['x']));
    expect(error.message).toMatch(
      /\/v2 answered 404 for embeddings with model "embedder": check --model and --base-url/,
    );
    expect(error.status).toBe(404);
  });
});
