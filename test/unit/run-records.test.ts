import { describe, expect, it } from 'vitest';
import { zeroUsage, type ChatClient, type ChatResponse } from '../../src/core/chat-client.js';
import { newEndpointKnowledge } from '../../src/core/sample-completions.js';
import type { DatasetRecord, ResultRecord } from '../../src/core/records.js';
import { emptyReplyWarnings, runRecords, type RunJob } from '../../src/run/run-records.js';
import { tallyRequests } from '../../src/core/tally-requests.js';
import { EndpointError } from '../../src/errors.js';
import type { PreparedStrategy } from '../../src/strategies/strategy.js';

async function* recordsOf(count: number): AsyncGenerator<DatasetRecord> {
  for (let index = 0; index < count; index++)
    yield { id: `r${index}`, vars: { input: String(index) }, expected: null, source: `data:${index + 1}`, index };
}

const reply = (text: string, requests = 1): ChatResponse => ({
  choices: [{ text, finishReason: 'stop' }],
  usage: zeroUsage(),
  requests,
});

/** A client that answers through `answer(recordIndex, callNumberForThatRecord)`, after `delayMs`. */
function scriptedClient(
  answer: (record: number, call: number) => ChatResponse | Error,
  delayMs = 0,
): ChatClient & { calls: number } {
  const perRecord = new Map<number, number>();
  const client = {
    model: 'm',
    calls: 0,
    async chat(request: { messages: Array<{ content: string }> }, signal?: AbortSignal) {
      client.calls++;
      const record = Number(request.messages[0]!.content);
      const call = (perRecord.get(record) ?? 0) + 1;
      perRecord.set(record, call);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      const outcome = answer(record, call);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    embed: async () => ({ vectors: [], usage: zeroUsage(), requests: 0 }),
  };
  return client as ChatClient & { calls: number };
}

/** One call per sample, `samples` at once, like self-consistency with separate requests. */
function sampling(samples: number): PreparedStrategy {
  return {
    render: async () => [],
    plan: async () => [],
    async run(record, context) {
      const messages = [{ role: 'user' as const, content: String(record.vars.input) }];
      const responses = await Promise.all(
        Array.from({ length: samples }, () => context.client.chat({ messages, temperature: 0 }, context.signal)),
      );
      const completions = responses.map((response) => ({
        text: response.choices[0]!.text,
        answer: response.choices[0]!.text || null,
        via: response.choices[0]!.text ? ('fallback' as const) : null,
        finishReason: response.choices[0]!.finishReason,
      }));
      return {
        answer: completions[0]!.answer,
        completions,
        samplesUsed: samples,
        usage: zeroUsage(),
        requests: responses.reduce((sum, response) => sum + response.requests, 0),
        warnings: [],
      };
    },
  };
}

function job(client: ChatClient, prepared: PreparedStrategy, signal = new AbortController().signal): RunJob {
  return {
    cell: { model: 'm', strategy: 'test', variant: null },
    name: 'test',
    template: 't',
    answer: { type: 'text' },
    prepared,
    context: {
      client,
      temperature: 0,
      maxTokens: null,
      seed: null,
      endpoint: newEndpointKnowledge(),
      signal,
      warn: () => undefined,
    },
  };
}

const options = { match: 'normalized' as const };

describe('runRecords', () => {
  it('scores each job by its own answer spec, and names each result by its cell', async () => {
    const client = scriptedClient(() => reply('42.0'));
    const answered: PreparedStrategy = {
      render: async () => [],
      plan: async () => [],
      run: async () => ({
        answer: '42.0',
        completions: [],
        samplesUsed: 1,
        usage: zeroUsage(),
        requests: 0,
        warnings: [],
      }),
    };
    const withExpected = async function* (): AsyncGenerator<DatasetRecord> {
      yield { id: 'q', vars: {}, expected: '42', source: 'data:1', index: 0 };
    };
    const results: ResultRecord[] = [];
    await runRecords({
      ...options,
      records: withExpected(),
      jobs: [
        {
          ...job(client, answered),
          cell: { model: 'm', strategy: 'cot', variant: 'as-number' },
          answer: { type: 'number' },
        },
        {
          ...job(client, answered),
          cell: { model: 'n', strategy: 'cot', variant: 'as-text' },
          answer: { type: 'text' },
        },
      ],
      recordsInFlight: 1,
      onResult: (result) => void results.push(result),
    });
    // 42.0 is 42 as a number, and not as text.
    expect(results.map((result) => [result.model, result.variant, result.correct])).toEqual([
      ['m', 'as-number', true],
      ['n', 'as-text', false],
    ]);
  });

  it('gives a failed record its error and the requests it really made, and carries on', async () => {
    // Record 3: the second of two samples fails after 3 attempts; the first sample made 1 request.
    const client = scriptedClient((record, call) =>
      record === 3 && call === 2 ? new EndpointError('retries exhausted', { requests: 3 }) : reply('ok'),
    );
    const results: ResultRecord[] = [];
    const statistics = await runRecords({
      ...options,
      records: recordsOf(6),
      jobs: [job(client, sampling(2))],
      recordsInFlight: 3,
      onResult: (result) => void results.push(result),
    });
    expect(statistics).toMatchObject({ finished: 6, errored: 1, answered: 5, abandoned: 0, interrupted: false });
    const failed = results.find((result) => result.id === 'r3')!;
    expect(failed).toMatchObject({ error: 'retries exhausted', requests: 4, answer: null, completions: [] });
    expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(5 * 2 + 4);
  });

  it('stops at the first fatal error: no new work, work in flight aborted and not reported', async () => {
    const client = scriptedClient(
      (record) =>
        record === 0
          ? new EndpointError('http://x/v1 refused the API key (401)', { fatal: true, requests: 1 })
          : reply('ok'),
      20,
    );
    const results: ResultRecord[] = [];
    const run = runRecords({
      ...options,
      records: recordsOf(100),
      jobs: [job(client, sampling(1))],
      recordsInFlight: 4,
      onResult: (result) => void results.push(result),
    });
    await expect(run).rejects.toThrow('refused the API key');
    expect(client.calls).toBeLessThanOrEqual(4);
    expect(results).toEqual([]);
  });

  it('ends the run on an error that is not the endpoint’s (a bug, a bad record)', async () => {
    const client = scriptedClient(() => new TypeError('cannot read properties of undefined'));
    await expect(
      runRecords({
        ...options,
        records: recordsOf(3),
        jobs: [job(client, sampling(1))],
        recordsInFlight: 1,
        onResult: () => undefined,
      }),
    ).rejects.toThrow(TypeError);
  });

  it('after the stop signal hands out nothing new, and lets work in flight finish', async () => {
    const stop = new AbortController();
    const client = scriptedClient(() => reply('ok'), 30);
    const results: ResultRecord[] = [];
    const run = runRecords({
      ...options,
      records: recordsOf(50),
      jobs: [job(client, sampling(1))],
      recordsInFlight: 2,
      stopSignal: stop.signal,
      onResult: (result) => {
        results.push(result);
        if (results.length === 3) stop.abort();
      },
    });
    const statistics = await run;
    expect(statistics.interrupted).toBe(true);
    expect(statistics.abandoned).toBe(0);
    expect(results.length).toBe(client.calls); // every request sent was reported
    expect(results.length).toBeLessThanOrEqual(4);
  });

  it('when the abort signal fires, drops records in flight instead of reporting an error for them', async () => {
    const abort = new AbortController();
    const client = scriptedClient(() => reply('ok'), 60_000);
    const results: ResultRecord[] = [];
    const run = runRecords({
      ...options,
      records: recordsOf(10),
      jobs: [job(client, sampling(1), abort.signal)],
      recordsInFlight: 3,
      stopSignal: abort.signal,
      onResult: (result) => void results.push(result),
    });
    setTimeout(() => abort.abort(), 20);
    const statistics = await run;
    expect(statistics).toMatchObject({ interrupted: true, abandoned: 3, finished: 0 });
    expect(results).toEqual([]);
  });

  it('does not wait for a call that ignores the abort signal (the SDK asleep before a retry)', async () => {
    const abort = new AbortController();
    const deaf: ChatClient = {
      model: 'm',
      chat: () => new Promise(() => undefined),
      embed: async () => ({ vectors: [], usage: zeroUsage(), requests: 0 }),
    };
    const run = runRecords({
      ...options,
      records: recordsOf(2),
      jobs: [job(deaf, sampling(1), abort.signal)],
      recordsInFlight: 2,
      onResult: () => undefined,
    });
    setTimeout(() => abort.abort(), 20);
    await expect(run).resolves.toMatchObject({ abandoned: 2, interrupted: true });
  });

  it('skips what is already done (resume)', async () => {
    const client = scriptedClient(() => reply('ok'));
    const results: ResultRecord[] = [];
    await runRecords({
      ...options,
      records: recordsOf(5),
      jobs: [job(client, sampling(1))],
      recordsInFlight: 2,
      alreadyDone: (record) => record.id === 'r1' || record.id === 'r3',
      onResult: (result) => void results.push(result),
    });
    expect(results.map((result) => result.id).sort()).toEqual(['r0', 'r2', 'r4']);
    expect(client.calls).toBe(3);
  });

  it('flags replies without text', async () => {
    const client = scriptedClient((record) => ({
      choices: [{ text: '', finishReason: record === 0 ? 'refusal' : 'stop' }],
      usage: zeroUsage(),
      requests: 1,
    }));
    const results: ResultRecord[] = [];
    await runRecords({
      ...options,
      records: recordsOf(2),
      jobs: [job(client, sampling(1))],
      recordsInFlight: 1,
      onResult: (result) => void results.push(result),
    });
    expect(results.map((result) => [result.id, result.error, result.warnings])).toEqual([
      ['r0', null, ['the reply had no text: the model refused']],
      ['r1', null, ['the reply had no text: empty content (finish_reason: stop)']],
    ]);
  });
});

describe('emptyReplyWarnings', () => {
  const completion = (text: string, finishReason: string | null) => ({ text, finishReason });
  it.each([
    { completions: [completion('42', 'stop')], warnings: [] },
    {
      completions: [completion('  ', 'stop')],
      warnings: ['the reply had no text: empty content (finish_reason: stop)'],
    },
    { completions: [completion('', null)], warnings: ['the reply had no text: empty content (finish_reason: none)'] },
    {
      completions: [completion('', 'content_filter')],
      warnings: ['the reply had no text: a content filter stopped it'],
    },
    {
      completions: [
        completion('7', 'stop'),
        completion('', 'refusal'),
        completion('', 'refusal'),
        completion('', 'length'),
      ],
      warnings: ['3 of 4 replies had no text: the model refused; empty content (finish_reason: length)'],
    },
  ])('$completions.length completion(s) → $warnings', ({ completions, warnings }) => {
    expect(emptyReplyWarnings(completions)).toEqual(warnings);
  });
});

describe('tallyRequests', () => {
  it('adds the requests of answered and failed calls, and waits for calls still in flight', async () => {
    let release: () => void = () => undefined;
    const inner: ChatClient = {
      model: 'm',
      chat: async (request) => {
        if (request.temperature === 1) throw new EndpointError('failed', { requests: 3 });
        if (request.temperature === 2) {
          await new Promise<void>((resolve) => (release = resolve));
          return reply('late', 2);
        }
        return reply('ok', 1);
      },
      embed: async () => ({ vectors: [], usage: zeroUsage(), requests: 1 }),
    };
    const tally = tallyRequests(inner);
    await tally.client.chat({ messages: [], temperature: 0 });
    await expect(tally.client.chat({ messages: [], temperature: 1 })).rejects.toThrow('failed');
    const late = tally.client.chat({ messages: [], temperature: 2 });
    expect(tally.total()).toBe(4);
    const settled = tally.settled();
    setTimeout(release, 10);
    await settled;
    expect(tally.total()).toBe(6);
    await late;
  });
});
