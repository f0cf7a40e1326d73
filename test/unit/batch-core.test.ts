import { describe, expect, it } from 'vitest';
import { cacheKey, type CacheEntry, type CacheStore } from '../../src/core/cached-client.js';
import type { ChatRequest } from '../../src/core/chat-client.js';
import type { DatasetRecord } from '../../src/core/records.js';
import { newEndpointKnowledge, sampleCompletions } from '../../src/core/sample-completions.js';
import { EndpointError } from '../../src/errors.js';
import { forBatchPhase, type BatchLedger, type RecordRequests } from '../../src/batch/batch-clients.js';
import { cacheEntriesFor, parseOutputLine } from '../../src/batch/batch-output.js';
import { storableFlags } from '../../src/batch/batch-state.js';
import { requestIdentity, type ManifestEntry } from '../../src/batch/manifest.js';
import { batchRequestLine, openAIBatchLimits, requestFileName, splitIntoFiles } from '../../src/batch/request-lines.js';
import type { PreparedStrategy, RunContext } from '../../src/strategies/strategy.js';

const messages = [{ role: 'user' as const, content: 'What is 6 times 7?' }];

describe('batchRequestLine', () => {
  it.each<[Partial<ChatRequest>, object]>([
    [{}, { model: 'm', messages, temperature: 0 }],
    [
      { maxTokens: 32, seed: 7 },
      { model: 'm', messages, temperature: 0, max_tokens: 32, seed: 7 },
    ],
    [{ n: 1 }, { model: 'm', messages, temperature: 0 }],
    [
      { n: 5, temperature: 0.7 },
      { model: 'm', messages, temperature: 0.7, n: 5 },
    ],
    [{ stop: [] }, { model: 'm', messages, temperature: 0 }],
    [
      { stop: ['\n'], baseSeed: 7, sampleIndex: 3 },
      { model: 'm', messages, temperature: 0, stop: ['\n'] },
    ],
  ])('%j', (request, body) =>
    expect(batchRequestLine('id', 'm', { messages, temperature: 0, ...request })).toEqual({
      custom_id: 'id',
      method: 'POST',
      url: '/v1/chat/completions',
      body,
    }),
  );

  it('cites the OpenAI per-file limits', () =>
    expect(openAIBatchLimits).toEqual({ maxRequests: 50_000, maxBytes: 200_000_000 }));
  it.each([
    [1, 'requests-001.jsonl'],
    [42, 'requests-042.jsonl'],
    [1234, 'requests-1234.jsonl'],
  ])('names file %i %s', (number, name) => expect(requestFileName(number)).toBe(name));
});

describe('splitIntoFiles', () => {
  it.each<[number[], { maxRequests: number; maxBytes: number }, number[][]]>([
    [[], { maxRequests: 2, maxBytes: 100 }, []],
    [[10, 10, 10], { maxRequests: 2, maxBytes: 100 }, [[0, 1], [2]]],
    [
      [10, 10, 10, 10],
      { maxRequests: 2, maxBytes: 100 },
      [
        [0, 1],
        [2, 3],
      ],
    ],
    [[40, 40, 40], { maxRequests: 10, maxBytes: 100 }, [[0, 1], [2]]],
    [[50, 50, 1], { maxRequests: 10, maxBytes: 100 }, [[0, 1], [2]]],
    [[150, 10], { maxRequests: 10, maxBytes: 100 }, [[0], [1]]],
    [[10, 150, 10], { maxRequests: 10, maxBytes: 100 }, [[0], [1], [2]]],
    [[1, 1, 1], { maxRequests: 1, maxBytes: 100 }, [[0], [1], [2]]],
  ])('%j under %j → %j', (bytes, limits, files) => expect(splitIntoFiles(bytes, limits)).toEqual(files));
});

describe('parseOutputLine', () => {
  const body = (
    contents: string[],
    usage: object | null = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
  ) => ({
    choices: contents.map((content, index) => ({
      index,
      message: { role: 'assistant', content },
      finish_reason: 'stop',
    })),
    usage,
  });
  it.each<[object, object | string]>([
    [
      { custom_id: 'x', response: { status_code: 200, body: body(['42']) }, error: null },
      {
        customId: 'x',
        ok: true,
        choices: [{ text: '42', finishReason: 'stop' }],
        usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13 },
      },
    ],
    [
      { custom_id: 'x', response: { body: body(['a', 'b'], null) } },
      {
        customId: 'x',
        ok: true,
        choices: [
          { text: 'a', finishReason: 'stop' },
          { text: 'b', finishReason: 'stop' },
        ],
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      },
    ],
    [
      {
        custom_id: 'x',
        response: {
          status_code: 200,
          body: {
            choices: [
              { index: 1, message: { content: 'b' } },
              { index: 0, message: { content: null, refusal: 'no' } },
            ],
          },
        },
      },
      {
        customId: 'x',
        ok: true,
        choices: [
          { text: '', finishReason: 'refusal' },
          { text: 'b', finishReason: null },
        ],
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      },
    ],
    [
      {
        custom_id: 'x',
        response: null,
        error: {
          code: 'batch_expired',
          message: 'This request could not be executed before the completion window expired.',
        },
      },
      {
        customId: 'x',
        ok: false,
        status: null,
        message: 'batch_expired: This request could not be executed before the completion window expired.',
      },
    ],
    [
      { custom_id: 'x', response: { status_code: 400, request_id: 'r', body: null }, error: 'context too long' },
      { customId: 'x', ok: false, status: 400, message: 'context too long' },
    ],
    [
      { custom_id: 'x', response: { status_code: 429, body: { error: { message: 'Rate limited' } } }, error: null },
      { customId: 'x', ok: false, status: 429, message: 'Rate limited' },
    ],
    [
      {
        custom_id: 'x',
        response: { status_code: 500, body: null },
        error: { error: { message: 'engine died\nat line 3' } },
      },
      { customId: 'x', ok: false, status: 500, message: 'engine died at line 3' },
    ],
    [
      { custom_id: 'x', response: { status_code: 503 } },
      { customId: 'x', ok: false, status: 503, message: 'status 503' },
    ],
    [
      { custom_id: 'x', response: { status_code: 200, body: { choices: [] } } },
      { customId: 'x', ok: false, status: 200, message: 'the response has no choices' },
    ],
    [
      { custom_id: 'x', response: { status_code: 200, body: 'plain text' } },
      { customId: 'x', ok: false, status: 200, message: 'the response body is not a chat completion' },
    ],
    [{ id: 'no custom id', response: null }, 'not a batch output line (needs "custom_id" and "response" or "error")'],
    [['an', 'array'], 'not a batch output line (needs "custom_id" and "response" or "error")'],
  ])('%j', (line, expected) => expect(parseOutputLine(line)).toEqual(expected));
});

describe('requestIdentity and cacheEntriesFor', () => {
  const request: ChatRequest = { messages, temperature: 0.7, n: 3, seed: 11, baseSeed: 5, sampleIndex: 2 };

  it('names a request by its first sample’s cache key and keys every sample as the cache does', () => {
    const identity = requestIdentity('m', request);
    expect(identity).toEqual({
      customId: cacheKey('m', request, 2),
      firstSample: 2,
      n: 3,
      sampleKeys: [2, 3, 4].map((index) => cacheKey('m', request, index)),
    });
    expect(identity.customId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores at most n choices, with the usage split so that the samples add up to what was billed', () => {
    const entry: ManifestEntry = {
      ...requestIdentity('m', request),
      phase: 1,
      file: 'requests-001.jsonl',
      recordId: 'a',
      strategy: 'self-consistency',
    };
    const choices = ['x', 'y', 'z', 'extra'].map((text) => ({ text, finishReason: 'stop' }));
    const entries = cacheEntriesFor(entry, choices, { promptTokens: 10, completionTokens: 7, totalTokens: 17 });
    expect(
      entries.map((each) => [
        each.key,
        each.entry.choice.text,
        each.entry.usage.promptTokens,
        each.entry.usage.completionTokens,
      ]),
    ).toEqual([
      [entry.sampleKeys[0], 'x', 10, 3],
      [entry.sampleKeys[1], 'y', 0, 2],
      [entry.sampleKeys[2], 'z', 0, 2],
    ]);
    expect(
      cacheEntriesFor(entry, choices.slice(0, 1), { promptTokens: 10, completionTokens: 7, totalTokens: 17 }),
    ).toHaveLength(1);
  });
});

describe('storableFlags', () => {
  it('keeps what is asked, drops where it goes and how the endpoint is reached', () =>
    expect(
      storableFlags({
        samples: '5',
        extract: 'two-stage',
        apiKey: 'sk-secret',
        baseUrl: 'http://x',
        output: 'dir',
        json: true,
        model: 'm',
        dataset: 'd.jsonl',
        template: undefined,
      }),
    ).toEqual({
      samples: '5',
      extract: 'two-stage',
    }));
});

/** A strategy like self-consistency with two-stage extraction: one n-request, then one extraction call per sample, concurrently. */
const sampleThenExtract: PreparedStrategy = {
  render: async () => messages,
  plan: async () => [{ messages, count: 3 }],
  async run(_record, context) {
    const drawn = await sampleCompletions(
      context.client,
      { messages, temperature: 0.7, maxTokens: null, seed: null },
      3,
      0,
      context.endpoint,
    );
    const steps = await Promise.all(
      drawn.choices.map((choice) =>
        context.client.chat({
          messages: [{ role: 'user', content: `extract: ${choice.text}` }],
          temperature: 0,
          maxTokens: 32,
          sampleIndex: 0,
        }),
      ),
    );
    return {
      answer: steps.map((step) => step.choices[0]!.text).join(','),
      completions: [],
      samplesUsed: 3,
      usage: drawn.usage,
      requests: 0,
      warnings: [],
    };
  },
};

function memoryStore(): CacheStore & { entries: Map<string, CacheEntry> } {
  const entries = new Map<string, CacheEntry>();
  return {
    entries,
    get: async (key) => entries.get(key) ?? null,
    set: async (key, entry) => void entries.set(key, entry),
  };
}

const record: DatasetRecord = { id: 'r1', vars: {}, expected: null, source: 'data.jsonl:1', index: 0 };
const context = (): RunContext => ({
  client: {
    model: 'm',
    chat: async () => Promise.reject(new Error('never')),
    embed: async () => Promise.reject(new Error('never')),
  },
  temperature: 0.7,
  maxTokens: null,
  seed: null,
  endpoint: newEndpointKnowledge(),
  signal: new AbortController().signal,
  warn: () => undefined,
});

async function phase(store: CacheStore, ledger: BatchLedger, capture: boolean) {
  const settled: RecordRequests[] = [];
  const prepared = forBatchPhase(sampleThenExtract, {
    model: 'm',
    directory: 'runs/m',
    store,
    ledger,
    capture: capture ? { phase: 1, strategy: 'sc' } : null,
    onRecordSettled: async (_record, requests) => void settled.push(requests),
  });
  const outcome = await prepared.run(record, context()).catch((error: unknown) => error);
  return { outcome, reason: prepared.unansweredReason(record), requests: settled[0]! };
}

describe('forBatchPhase', () => {
  it('captures the first round, then each round the answers make possible, then finishes from the cache', async () => {
    const store = memoryStore();
    const ledger: BatchLedger = { manifest: new Map(), failures: new Map() };

    const first = await phase(store, ledger, true);
    expect(first.reason).toBe('captured');
    expect(first.requests.captured.map(({ entry, request }) => [entry.n, entry.firstSample, request.n])).toEqual([
      [3, 0, 3],
    ]);
    expect(ledger.manifest.size).toBe(1);
    expect((await phase(store, ledger, true)).reason).toBe('waiting');
    expect((await phase(store, ledger, false)).reason).toBe('waiting');

    // Collect: the n=3 request's choices land under the three sample keys.
    const [entry] = [...ledger.manifest.values()];
    for (const { key, entry: cached } of cacheEntriesFor(
      entry!,
      ['a', 'b', 'c'].map((text) => ({ text, finishReason: 'stop' })),
      { promptTokens: 3, completionTokens: 3, totalTokens: 6 },
    ))
      await store.set(key, cached);
    expect((await phase(store, ledger, false)).reason).toBe('unprepared');

    // Phase 2: all three extraction calls are captured, though Promise.all rejected at the first.
    const second = await phase(store, ledger, true);
    expect(second.reason).toBe('captured');
    expect(second.requests.captured.map(({ request }) => request.messages[0]!.content).sort()).toEqual([
      'extract: a',
      'extract: b',
      'extract: c',
    ]);
    for (const { entry: each, request } of second.requests.captured) {
      await store.set(each.customId, {
        choice: { text: request.messages[0]!.content.slice(-1).toUpperCase(), finishReason: 'stop' },
        usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      });
    }
    const done = await phase(store, ledger, false);
    expect(done.reason).toBeNull();
    expect(done.outcome).toMatchObject({ answer: 'A,B,C' });
  });

  it('a failed line is the record’s error, as a failed call is interactively; its status does not mimic a rejected n', async () => {
    const store = memoryStore();
    const ledger: BatchLedger = { manifest: new Map(), failures: new Map() };
    await phase(store, ledger, true);
    const [customId] = ledger.manifest.keys();
    ledger.failures = new Map([[customId!, { customId: customId!, phase: 1, status: 400, message: 'bad request' }]]);
    const failed = await phase(store, ledger, false);
    expect(failed.outcome).toBeInstanceOf(EndpointError);
    expect((failed.outcome as EndpointError).status).toBeUndefined();
    expect((failed.outcome as EndpointError).message).toBe(
      `batch request ${customId!.slice(0, 12)} failed (400): bad request; the endpoint rejects the request as written, so resubmitting fails the same way: change what the message names (the record, the template, --max-tokens or --model) and prepare a new batch`,
    );
    expect(failed.reason).toBeNull();
  });

  it('a partial answer (fewer choices than n) asks for the missing samples one by one in the next phase', async () => {
    const store = memoryStore();
    const ledger: BatchLedger = { manifest: new Map(), failures: new Map() };
    await phase(store, ledger, true);
    const [entry] = [...ledger.manifest.values()];
    for (const { key, entry: cached } of cacheEntriesFor(entry!, [{ text: 'a', finishReason: 'stop' }], {
      promptTokens: 3,
      completionTokens: 1,
      totalTokens: 4,
    }))
      await store.set(key, cached);
    const next = await phase(store, ledger, true);
    expect(next.requests.captured.map(({ entry: each, request }) => [each.firstSample, request.n])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(next.requests.captured.map(({ entry: each }) => each.customId)).toEqual([
      entry!.sampleKeys[1],
      entry!.sampleKeys[2],
    ]);
  });
});
