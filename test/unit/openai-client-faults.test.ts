/** How the adapter reports faults the runner must tell apart: what a failed call cost, and whether it ends the run. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../src/core/chat-client.js';
import { createOpenAIChatClient } from '../../src/core/openai-client.js';
import { failureOf } from '../support/failure-of.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/openai-test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(serverOptions: TestServerOptions, timeoutMs = 5_000) {
  server = await startTestServer(serverOptions);
  const client = createOpenAIChatClient({
    baseUrl: server.url,
    apiKey: null,
    model: 'm',
    timeoutMs,
    maxRetries: 2,
    maxRetryWaitMs: 50,
  });
  return { client, server };
}

const ask = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }], temperature: 0 });

describe('a failed call says how many requests it made', () => {
  it.each([
    { what: '500 until retries run out', fault: { status: 500, body: '{"error":{"message":"x"}}' }, requests: 3 },
    { what: '401', fault: { status: 401, body: '{"error":{"message":"bad key"}}' }, requests: 1 },
    { what: '400', fault: { status: 400, body: '{"error":{"message":"too long"}}' }, requests: 1 },
    { what: 'a body that is not JSON', fault: { status: 200, body: 'oops{' }, requests: 1 },
    {
      what: 'an HTML page',
      fault: { status: 200, body: '<html></html>', headers: { 'content-type': 'text/html' } },
      requests: 1,
    },
  ])('$what: $requests', async ({ fault, requests }) => {
    const { client, server } = await clientFor({ respond: () => fault });
    const error = await failureOf(client.chat(ask('q')));
    expect(error.requests).toBe(requests);
    expect(server.counts.chat).toBe(requests);
  });
});

describe('timeouts and dropped connections', () => {
  it('before the endpoint has ever answered, they end the run; after, they belong to one call', async () => {
    const { client, server } = await clientFor({
      respond: (call) => (call.messages[0]!.content === 'drop' ? { drop: 'before-answer' } : null),
    });
    const first = await failureOf(client.chat(ask('drop')));
    expect([first.fatal, first.requests]).toEqual([true, 3]);
    expect(first.message).toMatch(
      new RegExp(
        `^cannot reach ${server.url}: the server closed the connection without answering \\(ECONNRESET\\) \\(3 attempts\\)$`,
      ),
    );

    await client.chat(ask('What is 1 plus 1?'));
    const later = await failureOf(client.chat(ask('drop')));
    expect([later.fatal, later.requests]).toEqual([false, 3]);
    expect(later.message).toMatch(
      new RegExp(
        `^${server.url} dropped the connection: the server closed the connection without answering \\(ECONNRESET\\) \\(3 attempts\\)$`,
      ),
    );
  });

  it('a call slower than --timeout after the endpoint has answered is that record’s error', async () => {
    const { client, server } = await clientFor(
      {
        respond: (call) => (call.messages[0]!.content === 'slow' ? { status: 200, body: '{}', delayMs: 2_000 } : null),
      },
      300,
    );
    await client.chat(ask('What is 1 plus 1?'));
    const error = await failureOf(client.chat(ask('slow')));
    expect([error.fatal, error.requests, error.message]).toEqual([
      false,
      3,
      `${server.url} did not answer within 0.3 s (3 attempts; see --timeout)`,
    ]);
  });

  it('a body cut off half way is that record’s error, not retried', async () => {
    const { client, server } = await clientFor({ respond: () => ({ drop: 'mid-body' }) });
    const error = await failureOf(client.chat(ask('q')));
    expect(error.fatal).toBe(false);
    expect(error.requests).toBe(1);
    expect(error.message).toBe(`${server.url} closed the connection before the answer was complete (1 attempt)`);
  });
});

describe('refusals', () => {
  it('read as empty text with finish reason "refusal" when the server said "stop"', async () => {
    const body = JSON.stringify({
      choices: [{ index: 0, message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }],
    });
    const { client } = await clientFor({ respond: () => ({ status: 200, body }) });
    expect((await client.chat(ask('q'))).choices).toEqual([{ text: '', finishReason: 'refusal' }]);
  });
});
