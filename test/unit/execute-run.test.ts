import { describe, expect, it } from 'vitest';
import type { DatasetRecord, ResultRecord } from '../../src/core/records.js';
import { EndpointError, GateError, InterruptedError } from '../../src/errors.js';
import {
  executeRun,
  finishedResults,
  type ExecuteRunOptions,
  type RunEnding,
  type RunOutput,
} from '../../src/run/execute-run.js';
import { noRunYet, type ResultSource } from '../../src/run/run-records.js';
import { resultRecord } from '../support/result-record.js';

const record = (index: number): DatasetRecord => ({
  id: String(index),
  vars: {},
  expected: '1',
  source: `data.jsonl:${index + 1}`,
  index,
});

function recorder() {
  const events: string[] = [];
  const output: RunOutput = {
    resumable: 'out.jsonl',
    write: async (result) => void events.push(`write ${result.id}`),
    abandon: async () => void events.push('abandon'),
    finish: async (ending: RunEnding) => void events.push(`finish n=${ending.summaries.map((s) => s.n).join(',')}`),
  };
  const options = (source: ResultSource, more: Partial<ExecuteRunOptions> = {}): ExecuteRunOptions => ({
    source,
    cells: [{ model: 'test-model', strategy: 'cot', variant: null, template: 'default', answer: { type: 'number' } }],
    resume: null,
    openOutput: async () => output,
    endpoint: {
      label: 'http://endpoint/v1',
      throttling: { report: () => ({ throttled: 2, minConcurrency: 4 }), concurrency: 8 },
    },
    maxErrors: { count: 0 },
    callbacks: {
      warn: (message) => events.push(`warn ${message}`),
      note: (message) => events.push(`note ${message}`),
      progress: ({ counts }) => events.push(`progress ${counts.get('cot')!.done}`),
      stopProgress: () => events.push('stop progress'),
    },
    ...more,
  });
  return { events, options };
}

const finished = (results: ResultRecord[]) =>
  finishedResults(results.map((result, index) => ({ result, record: record(index) })));

describe('executeRun', () => {
  it('writes each result, then the throttling note, then the document, and returns the summaries', async () => {
    const { events, options } = recorder();
    const ending = await executeRun(options(finished([resultRecord({ id: '0' }), resultRecord({ id: '1' })])));
    expect(events).toEqual([
      'write 0',
      'progress 1',
      'write 1',
      'progress 2',
      'stop progress',
      'warn the endpoint throttled 2 times (429/503); requests in flight went down to 4 of 8',
      'finish n=2',
    ]);
    expect(ending.summaries[0]).toMatchObject({ strategy: 'cot', n: 2, correct: 2, accuracy: 1 });
    expect(ending.endpoint).toEqual({ throttled: 2, minConcurrency: 4 });
  });

  it('says once, after the throttling note and before the document, that most answers were guessed', async () => {
    const { events, options } = recorder();
    const guessed = (id: string) =>
      resultRecord({
        id,
        completions: [{ text: 'Your message had 4 words.', answer: '4', via: 'fallback', finishReason: 'stop' }],
      });
    await executeRun(options(finished([guessed('0'), guessed('1'), resultRecord({ id: '2' })])));
    expect(events.slice(-3)).toEqual([
      'warn the endpoint throttled 2 times (429/503); requests in flight went down to 4 of 8',
      'warn 2 of 3 answers were guessed: a number taken from a reply that states no answer; ask for the answer in the prompt, or pass --extract-mode strict to count only stated answers',
      'finish n=3',
    ]);
  });

  it('ends with exit 3 when no record got an answer, naming the endpoint and the first error', async () => {
    const { events, options } = recorder();
    const failed = resultRecord({ id: '0', error: 'boom', correct: false, answer: null });
    await expect(executeRun(options(finished([failed])))).rejects.toEqual(
      new EndpointError('http://endpoint/v1: no record got an answer (boom)'),
    );
    expect(events.at(-1)).toBe('finish n=1');
  });

  it('reports every failed gate: the first as the error, the others before it', async () => {
    const { options } = recorder();
    const failed = resultRecord({ id: '1', error: 'boom', correct: false, answer: null });
    const run = executeRun(
      options(finished([resultRecord({ id: '0' }), failed]), {
        gates: () => [
          { gate: 'fail-under', cell: 'cot', message: '--fail-under 0.90: cot accuracy 0.500 is 0.400 below' },
        ],
      }),
    );
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GateError);
    expect((error as GateError).message).toBe('gate failed: --fail-under 0.90: cot accuracy 0.500 is 0.400 below');
    expect((error as GateError).more).toEqual(['gate failed: --max-errors 0: cot had 1 errored records, 1 over']);
  });

  it('says where the results are when the run fails half way, and writes no document', async () => {
    const { events, options } = recorder();
    const failing: ResultSource = {
      async run(emit) {
        await emit(resultRecord({ id: '0' }), record(0));
        throw new EndpointError('key refused', { fatal: true });
      },
    };
    await expect(executeRun(options(failing))).rejects.toThrow('key refused');
    expect(events).toContain('abandon');
    expect(events).toContain(
      'warn 1 result(s) are in out.jsonl; once the endpoint works, rerun with --resume out.jsonl',
    );
    expect(events.some((event) => event.startsWith('finish'))).toBe(false);
  });

  it('ends with exit 130 after the document when the source was interrupted', async () => {
    const { events, options } = recorder();
    const interrupted: ResultSource = { run: async () => ({ ...noRunYet(), interrupted: true }) };
    await expect(executeRun(options(interrupted))).rejects.toBeInstanceOf(InterruptedError);
    expect(events.at(-1)).toBe('finish n=0');
  });
});
