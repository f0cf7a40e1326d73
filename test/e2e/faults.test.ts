/**
 * Faults from the endpoint, end to end: the built CLI against a loopback server that throttles, fails,
 * drops connections, stalls and sends malformed answers, decided per record and attempt so every run is
 * the same whatever the scheduling. Every record must come back answered or errored, once, and the
 * summary's counts must equal what the server itself saw.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatCall, DroppedConnection, RawResponse } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply, lastUser } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

// Every run has a server of its own, so the runs (which mostly wait on back-offs, stalls and throttling)
// go side by side; all are closed once the file is done.
const serve = useTestServers({}, 'all');

// Five records of each fault: enough to interleave them under throttling, few enough that the waits stay short.
const recordCount = 100;
const jsonBody = (body: object) => JSON.stringify(body);
const completion = (message: object, finishReason = 'stop') =>
  jsonBody({
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });

type Fault = RawResponse | DroppedConnection | null;
interface Slot {
  what: string;
  /** The fault for the given attempt (1-based) at this record; null for the normal answer. */
  fault(attempt: number): Fault;
  outcome: 'answered' | 'errored' | 'flagged';
  /** HTTP requests the record takes with --retries 2. */
  requests: number;
}

const once = (fault: Fault) => (attempt: number) => (attempt === 1 ? fault : null);
const always = (fault: Fault) => () => fault;

/** Record i gets slot i % 20; slots not listed are answered normally at the first attempt. */
const slots: Record<number, Slot> = {
  1: {
    what: '429, Retry-After 0.05 s, then fine',
    fault: once({
      status: 429,
      body: jsonBody({ error: { message: 'slow down' } }),
      headers: { 'retry-after': '0.05' },
    }),
    outcome: 'answered',
    requests: 2,
  },
  2: {
    what: '429, Retry-After 120 s (capped by --max-retry-wait 0.2)',
    fault: once({
      status: 429,
      body: jsonBody({ error: { message: 'slow down' } }),
      headers: { 'retry-after': '120' },
    }),
    outcome: 'answered',
    requests: 2,
  },
  3: {
    what: '500 once',
    fault: once({ status: 500, body: jsonBody({ error: { message: 'boom' } }) }),
    outcome: 'answered',
    requests: 2,
  },
  4: { what: 'connection dropped once', fault: once({ drop: 'before-answer' }), outcome: 'answered', requests: 2 },
  5: {
    what: 'slower than --timeout once',
    fault: once({ status: 200, body: completion({ content: 'late' }), delayMs: 6_000 }),
    outcome: 'answered',
    requests: 2,
  },
  6: {
    what: '500 every time',
    fault: always({ status: 500, body: jsonBody({ error: { message: 'still broken' } }) }),
    outcome: 'errored',
    requests: 3,
  },
  7: {
    what: '200 whose body is not JSON',
    fault: always({ status: 200, body: 'upstream exploded{' }),
    outcome: 'errored',
    requests: 1,
  },
  8: {
    what: 'choices: []',
    fault: always({ status: 200, body: jsonBody({ choices: [] }) }),
    outcome: 'errored',
    requests: 1,
  },
  9: {
    what: 'content: null',
    fault: always({ status: 200, body: completion({ content: null }) }),
    outcome: 'flagged',
    requests: 1,
  },
  10: {
    what: 'a refusal',
    fault: always({ status: 200, body: completion({ content: null, refusal: 'I cannot help with that.' }) }),
    outcome: 'flagged',
    requests: 1,
  },
  11: {
    what: 'finish_reason length',
    fault: always({ status: 200, body: completion({ content: 'Let me add these up: first' }, 'length') }),
    outcome: 'flagged',
    requests: 1,
  },
  12: {
    what: '503, Retry-After 0.05 s, then fine',
    fault: once({
      status: 503,
      body: jsonBody({ error: { message: 'overloaded' } }),
      headers: { 'retry-after': '0.05' },
    }),
    outcome: 'answered',
    requests: 2,
  },
  13: {
    what: 'connection dropped every time',
    fault: always({ drop: 'before-answer' }),
    outcome: 'errored',
    requests: 3,
  },
  14: {
    what: 'an HTML error page with status 200',
    fault: always({ status: 200, body: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } }),
    outcome: 'errored',
    requests: 1,
  },
  15: { what: 'body cut off half way', fault: always({ drop: 'mid-body' }), outcome: 'errored', requests: 1 },
  16: {
    what: '400',
    fault: always({ status: 400, body: jsonBody({ error: { message: 'context length exceeded' } }) }),
    outcome: 'errored',
    requests: 1,
  },
};
const normal: Slot = { what: 'normal', fault: () => null, outcome: 'answered', requests: 1 };
const slotOf = (index: number): Slot => slots[index % 20] ?? normal;

const expected = (() => {
  const indexes = Array.from({ length: recordCount }, (_, index) => index);
  const count = (outcome: Slot['outcome']) => indexes.filter((index) => slotOf(index).outcome === outcome).length;
  return {
    errored: count('errored'),
    flagged: count('flagged'),
    requests: indexes.reduce((sum, index) => sum + slotOf(index).requests, 0),
    throttled: indexes.filter((index) => [1, 2, 12].includes(index % 20)).length,
  };
})();

/** A server whose faults follow the slot table; it counts what it sent, to check the CLI's report against. */
async function startFaultyServer() {
  const attempts = new Map<number, number>();
  const sent = { throttled: 0 };
  const recordOf = (call: ChatCall) => Number(/Record (\d+):/.exec(lastUser(call))?.[1] ?? -1);
  const faulty = await serve({
    reply: arithmeticReply,
    respond: (call) => {
      const record = recordOf(call);
      const attempt = (attempts.get(record) ?? 0) + 1;
      attempts.set(record, attempt);
      const fault = slotOf(record).fault(attempt);
      if (fault !== null && 'status' in fault && (fault.status === 429 || fault.status === 503)) sent.throttled++;
      return fault;
    },
  });
  return { server: faulty, attempts, sent };
}

async function writeDataset(count: number): Promise<string> {
  const directory = await makeTempDir('promptlab-faults-');
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      id: `r${index}`,
      input: `Record ${index}: What is ${index} plus 1?`,
      expected: String(index + 1),
    }),
  );
  const path = join(directory, 'data.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

const faultFlags = [
  '-c',
  '16',
  '--retries',
  '2',
  '--timeout',
  '2',
  '--max-retry-wait',
  '0.2',
  '--answer',
  'number',
  '-m',
  'test-model',
];

interface ResultLine {
  id: string;
  strategy: string;
  answer: string | null;
  error: string | null;
  requests: number;
  completions: Array<{ finishReason: string | null }>;
  warnings: string[];
}

function checkEveryRecordOnce(results: ResultLine[]): void {
  const ids = results.map((result) => result.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(Array.from({ length: recordCount }, (_, index) => `r${index}`).sort());
}

function checkEachRecordAgainstItsSlot(results: ResultLine[]): void {
  for (const result of results) {
    const slot = slotOf(Number(result.id.slice(1)));
    const seen = { id: result.id, what: slot.what, errored: result.error !== null, requests: result.requests };
    expect(seen).toEqual({
      id: result.id,
      what: slot.what,
      errored: slot.outcome === 'errored',
      requests: slot.requests,
    });
    if (result.error !== null) expect(result.error).not.toMatch(/\n/);
  }
}

describe.concurrent('a 100-record run against a faulty endpoint', () => {
  it('answers or errors every record once, and its counts equal the server’s (exit 0 within --max-errors)', async () => {
    const { server: target, sent } = await startFaultyServer();
    const dataset = await writeDataset(recordCount);
    const started = Date.now();
    const result = await runCli(
      ['zero-shot', '-d', dataset, '--json', '--max-errors', '35%', '--base-url', target.url, ...faultFlags],
      { timeoutMs: 140_000 },
    );
    const elapsedMs = Date.now() - started;

    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(0);
    // Retry-After: 120 was capped at 0.2 s; honoured, it would stall the run for at least two minutes.
    expect(elapsedMs).toBeLessThan(100_000);
    const document = JSON.parse(result.stdout);
    const results: ResultLine[] = document.results;
    checkEveryRecordOnce(results);
    checkEachRecordAgainstItsSlot(results);

    expect(expected).toEqual({ errored: 35, flagged: 15, requests: 150, throttled: 15 });
    expect(document.summary.n).toBe(recordCount);
    expect(document.summary.errors).toBe(expected.errored);
    expect(document.summary.requests).toBe(target.counts.chat);
    expect(target.counts.chat).toBe(expected.requests);
    expect(results.reduce((sum, line) => sum + line.requests, 0)).toBe(target.counts.chat);
    expect(document.summary.truncated).toBe(recordCount / 20);
    // content: null, the refusal and the truncated reply are flagged, not errors.
    expect(document.summary.extractionFailures).toBe(expected.flagged);
    expect(document.endpoint.throttled).toBe(sent.throttled);
    expect(sent.throttled).toBe(expected.throttled);
    expect(document.endpoint.minConcurrency).toBeGreaterThanOrEqual(1);
    expect(document.endpoint.minConcurrency).toBeLessThan(16);
    expect(result.stderr).toMatch(/note: the endpoint is throttling \(429\)/);
    expect(result.stderr).toMatch(
      new RegExp(
        `the endpoint throttled ${expected.throttled} times \\(429/503\\); requests in flight went down to \\d+ of 16`,
      ),
    );
  }, 160_000);

  it('gives each malformed answer a clear one-line error or flag', async () => {
    const { server: target } = await startFaultyServer();
    const dataset = await writeDataset(20);
    const result = await runCli(
      ['zero-shot', '-d', dataset, '--json', '--max-errors', '100%', '--base-url', target.url, ...faultFlags],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    const byId = new Map<string, ResultLine>(
      JSON.parse(result.stdout).results.map((line: ResultLine) => [line.id, line]),
    );
    const url = target.url;
    expect(byId.get('r6')!.error).toBe(`${url}: retries exhausted after 3 attempts (500): still broken`);
    expect(byId.get('r7')!.error).toBe(`${url} sent a malformed response: body is not valid JSON`);
    expect(byId.get('r8')!.error).toBe('the endpoint returned no choices');
    expect(byId.get('r13')!.error).toMatch(
      new RegExp(
        `^${url} dropped the connection: the server closed the connection without answering \\(ECONNRESET\\) \\(3 attempts\\)$`,
      ),
    );
    expect(byId.get('r14')!.error).toBe(
      `${url} sent a malformed response: not JSON (starts "<html>Bad gateway</html>")`,
    );
    expect(byId.get('r15')!.error).toBe(`${url} closed the connection before the answer was complete (1 attempt)`);
    expect(byId.get('r16')!.error).toBe(`${url} rejected the request (400): context length exceeded`);
    expect(byId.get('r9')).toMatchObject({
      error: null,
      answer: null,
      warnings: ['the reply had no text: empty content (finish_reason: stop)'],
    });
    expect(byId.get('r10')).toMatchObject({
      error: null,
      answer: null,
      completions: [{ finishReason: 'refusal' }],
      warnings: ['the reply had no text: the model refused'],
    });
    expect(byId.get('r11')!.completions).toMatchObject([{ finishReason: 'length' }]);
    expect(byId.get('r11')!.warnings[0]).toMatch(/^the reply stopped at 1 token at the server’s own limit/);
    expect(result.stderr).toMatch(/warning: r10 \(zero-shot\): the reply had no text: the model refused/);
  }, 60_000);

  it('compare counts the same faults per strategy and exits 4 when errors exceed --max-errors (default 0)', async () => {
    const { server: target } = await startFaultyServer();
    const dataset = await writeDataset(recordCount);
    const result = await runCli(
      [
        'compare',
        '-d',
        dataset,
        '--strategies',
        'zero-shot',
        '--format',
        'json',
        '--base-url',
        target.url,
        ...faultFlags,
      ],
      { timeoutMs: 140_000 },
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(
        `promptlab: gate failed: --max-errors 0: zero-shot had ${expected.errored} errored records, ${expected.errored} over`,
      ),
    );
    const report = JSON.parse(result.stdout);
    checkEveryRecordOnce(report.results);
    expect(report.strategies[0]).toMatchObject({
      strategy: 'zero-shot',
      n: recordCount,
      errors: expected.errored,
      requests: target.counts.chat,
    });
    expect(target.counts.chat).toBe(expected.requests);
    expect(report.endpoint.throttled).toBe(expected.throttled);
  }, 160_000);
});

describe.concurrent('an endpoint that never answers', () => {
  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  it('stops at the first refused key instead of hammering: exit 3, one line naming the base URL', async () => {
    const server = await serve({ apiKey: 'sk-right-key-123456' });
    const dataset = await writeDataset(recordCount);
    const result = await runCli(
      [
        'zero-shot',
        '-d',
        dataset,
        '--json',
        '--api-key',
        'sk-wrong-key-987654',
        '--base-url',
        server.url,
        ...faultFlags,
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^promptlab: ${server.url} refused the API key \\(401\\)`),
    );
    expect(result.stderr).not.toMatch(/sk-wrong-key-987654/);
    // At most one request per slot in flight when the first 401 came back; nothing after.
    expect(server.counts.chat).toBeLessThanOrEqual(16);
    expect(result.stdout).toBe('');
  }, 60_000);

  it('stops when nothing listens: exit 3 naming the base URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const dataset = await writeDataset(50);
    const started = Date.now();
    const result = await runCli(['zero-shot', '-d', dataset, '--jsonl', '--base-url', url, ...faultFlags], {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(`^promptlab: cannot reach ${url.replace(/[.]/g, '\\.')}: .*ECONNREFUSED`, 'm'),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('exits 3 when every record fails (500 on every call), after giving each its retries', async () => {
    const server = await serve({
      respond: () => ({ status: 500, body: jsonBody({ error: { message: 'down' } }) }),
    });
    const dataset = await writeDataset(8);
    const result = await runCli(['zero-shot', '-d', dataset, '--jsonl', '--base-url', server.url, ...faultFlags], {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`promptlab: ${server.url}: no record got an answer`));
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ResultLine);
    expect(lines).toHaveLength(8);
    expect(lines.every((line) => line.error !== null && line.requests === 3)).toBe(true);
    expect(server.counts.chat).toBe(24);
  }, 60_000);
});
