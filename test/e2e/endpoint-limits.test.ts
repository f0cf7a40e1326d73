/**
 * What real endpoints do at their limits, end to end (in-process through runCli) against the loopback
 * server: a cap on `n` stated in several servers' words or not at all, usage that counts one choice of
 * many (llama-server), 501 "not implemented", replies cut by --max-tokens or by the server's context, a
 * server that is up but slow, and self-consistency's own guards (issue 12, items 5, 17–21, 23).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { ChatCall, TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { lastUser, samplingReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const serve = useTestServers({ reply: samplingReply(new Set()) });

async function dataset(count: number): Promise<string> {
  const directory = await makeTempDir('promptlab-limits-');
  const path = join(directory, 'data.jsonl');
  const lines = Array.from({ length: count }, (_, index) => ({
    id: `r${index + 1}`,
    input: `What is ${index + 1} plus 2?`,
    expected: String(index + 3),
  }));
  await writeFile(path, jsonl(lines));
  return path;
}

const endpoint = (server: TestServer) => ['--base-url', server.url, '-m', 'test-model', '--answer', 'number'];
const parseLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { id: string; requests: number });

/** What the loopback server counts for replies: a token per four characters. */
const tokensOfTexts = (completions: Array<{ text: string }>) =>
  completions.reduce((sum, completion) => sum + Math.round(completion.text.length / 4), 0);

/** The `n` of each call, per question asked, sorted (chunks of one record go out side by side). */
function nPerRecord(calls: ChatCall[]): Record<string, number[]> {
  const byRecord: Record<string, number[]> = {};
  for (const call of calls) {
    const question = lastUser(call).split('\n')[0]!;
    byRecord[question] = [...(byRecord[question] ?? []), call.n];
  }
  for (const list of Object.values(byRecord)) list.sort((a, b) => b - a);
  return byRecord;
}

describe('self-consistency against a cap on n (items 5 and 18)', () => {
  it.each([
    // Stated in the error, in three servers' words: learnt from the first 400, used for the rest of the run.
    { says: 'at-most', cap: 128, samples: 200, first: [200, 128, 72], rest: [128, 72] },
    { says: 'openai', cap: 128, samples: 200, first: [200, 128, 72], rest: [128, 72] },
    { says: 'llama-server', cap: 4, samples: 8, first: [8, 4, 4], rest: [4, 4] },
    // Not stated: halved until a request is accepted (8 → 4 → 2 accepted), then chunks of 2.
    { says: 'vague', cap: 3, samples: 8, first: [8, 4, 2, 2, 2, 2], rest: [2, 2, 2, 2] },
  ] as const)('$says (cap $cap, --samples $samples): chunks of the cap, every request counted', async (row) => {
    const server = await serve({ nMode: { cap: row.cap, says: row.says } });
    const result = await runCli([
      'self-consistency',
      '-d',
      await dataset(2),
      '--samples',
      String(row.samples),
      '--seed',
      '7',
      '-c',
      '1',
      '--jsonl',
      ...endpoint(server),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(nPerRecord(server.calls)).toEqual({ 'What is 1 plus 2?': row.first, 'What is 2 plus 2?': row.rest });
    const records = parseLines(result.stdout);
    expect(records.map((record) => [record.id, record.samplesUsed, record.correct, record.requests])).toEqual([
      ['r1', row.samples, true, row.first.length],
      ['r2', row.samples, true, row.rest.length],
    ]);
    // Distinct seeds for the chunks of a record: a seeded server must not return the same paths twice.
    for (const question of ['What is 1 plus 2?', 'What is 2 plus 2?']) {
      const accepted = server.calls.filter((call) => call.n <= row.cap && lastUser(call).startsWith(question));
      expect(new Set(accepted.map((call) => call.seed)).size).toBe(accepted.length);
    }
  });

  it('samples fetched in chunks are cached one by one: a rerun is free and --replay answers alone', async () => {
    const server = await serve({ nMode: { cap: 4, says: 'llama-server' } });
    const home = await makeTempDir('promptlab-limits-cache-');
    const data = await dataset(2);
    const run = (extra: string[]) =>
      runCli([
        'self-consistency',
        '-d',
        data,
        '--samples',
        '8',
        '--seed',
        '3',
        '--jsonl',
        '--cache',
        join(home, 'cache'),
        ...extra,
      ]);
    const first = await run(endpoint(server));
    expect(first.code).toBe(0);
    const requests = server.counts.chat;
    const again = await run(endpoint(server));
    // The same samples, votes and usage; no request (cache hits cost nothing, so `requests` is 0).
    const samples = (stdout: string) =>
      parseLines(stdout)
        .map(({ id, completions, votes, usage }) => ({ id, completions, votes, usage }))
        .sort((a, b) => a.id.localeCompare(b.id));
    expect(samples(again.stdout)).toEqual(samples(first.stdout));
    expect(parseLines(again.stdout).map((record) => record.requests)).toEqual([0, 0]);
    expect(server.counts.chat).toBe(requests);
    const replayed = await run([
      '--replay',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '-m',
      'test-model',
      '--answer',
      'number',
    ]);
    expect(replayed.code).toBe(0);
    // JSON Lines come as records finish: in any order.
    const replayedRecords = parseLines(replayed.stdout).map((record) => [record.id, record.correct, record.requests]);
    expect(replayedRecords.sort()).toEqual([
      ['r1', true, 0],
      ['r2', true, 0],
    ]);
  });

  it('the rejected request is counted in the summary as the server counted it', async () => {
    const server = await serve({ nMode: { cap: 4, says: 'llama-server' } });
    const result = await runCli([
      'self-consistency',
      '-d',
      await dataset(3),
      '--samples',
      '8',
      '--json',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.summary.requests).toBe(server.counts.chat);
  });

  it('more than 1000 samples per record is refused in one line unless --yes', async () => {
    const server = await serve();
    const refused = await runCli(['self-consistency', 'What is 1 plus 2?', '--samples', '1001', ...endpoint(server)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'promptlab: --samples 1001: more than 1000 completions for every record; pass --yes if that is what you want\n',
    );
    expect(server.counts.total).toBe(0);
    const confirmed = await runCli([
      'self-consistency',
      'What is 1 plus 2?',
      '--samples',
      '1001',
      '--yes',
      '--dry-run',
      ...endpoint(server),
    ]);
    expect(confirmed.code).toBe(0);
  });
});

describe('usage that counts one choice of n (item 17)', () => {
  // Every path runs to --max-tokens 24, so three paths took 72 completion tokens whatever the server says.
  const longReply = () => ({
    text: 'Let me think about this carefully, step by step, before I answer it. '.repeat(2),
    finishReason: 'length',
  });

  it('is detected from the truncated choices, estimated, and marked usageEstimated', async () => {
    const server = await serve({ reply: longReply, usageCounts: 'first-choice' });
    const run = (args: string[]) =>
      runCli([...args, 'What is 1 plus 2?', '--max-tokens', '24', '--json', ...endpoint(server)]);
    const sampled = await run(['self-consistency', '--samples', '3']);
    expect(sampled.code).toBe(0);
    const record = JSON.parse(sampled.stdout);
    expect(record.usageEstimated).toBe(true);
    expect(record.usage.completionTokens).toBe(72);
    const single = JSON.parse((await run(['cot'])).stdout);
    expect(single.usage.completionTokens).toBe(24);
    expect(single.usageEstimated).toBeUndefined();
  });

  it('is detected from the length of the texts when no choice was cut, and the summary says so', async () => {
    const server = await serve({ usageCounts: 'first-choice' });
    const result = await runCli([
      'self-consistency',
      '-d',
      await dataset(2),
      '--samples',
      '5',
      '--json',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    for (const record of document.results) {
      expect(record.usageEstimated).toBe(true);
      expect(record.usage.completionTokens).toBe(tokensOfTexts(record.completions));
    }
    expect(document.summary.usageEstimated).toBe(2);
    const table = await runCli([
      'compare',
      '--strategies',
      'self-consistency',
      '-d',
      await dataset(2),
      '--samples',
      '5',
      '--format',
      'table',
      ...endpoint(server),
    ]);
    expect(table.code).toBe(0);
    // The tokens column says it holds an estimate, and a note under the table says why.
    const row = table.stdout.split('\n').find((line) => line.startsWith('self-consistency'))!;
    expect(row).toMatch(new RegExp(`≈${document.summary.usage.totalTokens.toLocaleString('en-US')}`));
    expect(table.stdout).toMatch(
      /self-consistency: tokens are estimated for 2 records: the endpoint reported usage for one choice of several/,
    );
  });

  it('is left alone where the server counts every choice', async () => {
    const server = await serve();
    const result = await runCli([
      'self-consistency',
      'What is 1 plus 2?',
      '--samples',
      '5',
      '--json',
      ...endpoint(server),
    ]);
    const record = JSON.parse(result.stdout);
    expect(record.usageEstimated).toBeUndefined();
    expect(record.usage.completionTokens).toBe(tokensOfTexts(record.completions));
  });
});

describe('501 and other "not implemented" answers fail at once (item 19)', () => {
  const notImplemented = {
    status: 501,
    body: '{"error":{"code":501,"message":"This server does not support embeddings. Start it with `--embeddings`","type":"not_supported_error"}}',
  };

  it('embeddings: no retries, exit 3 naming what the server said', async () => {
    const server = await serve({ respondEmbeddings: () => notImplemented });
    const directory = await makeTempDir('promptlab-501-');
    await writeFile(join(directory, 'pool.jsonl'), jsonl([{ input: 'What is 1 plus 1?', output: '2' }]));
    const result = await runCli([
      'in-context',
      '-d',
      await dataset(12),
      '--pool',
      join(directory, 'pool.jsonl'),
      '--shots',
      '1',
      '--select',
      'embedding',
      '--retries',
      '2',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(3);
    expect(server.counts.embeddings).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      `promptlab: ${server.url} answered 501 (not implemented): This server does not support embeddings. Start it with \`--embeddings\``,
    );
  });

  it('chat completions: no retries, and the run stops at the first', async () => {
    const server = await serve({
      respond: () => ({ status: 501, body: '{"error":{"message":"chat is not implemented"}}' }),
    });
    const result = await runCli([
      'zero-shot',
      '-d',
      await dataset(12),
      '-c',
      '1',
      '--retries',
      '2',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(3);
    expect(server.counts.chat).toBe(1);
    expect(result.stderr).toMatch(/answered 501 \(not implemented\): chat is not implemented/);
  });
});

describe('the truncation note names the limit that was hit (item 20)', () => {
  const cut = (completionTokens: number) => ({
    status: 200,
    body: JSON.stringify({
      choices: [{ index: 0, message: { role: 'assistant', content: 'The sum of' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 4088, completion_tokens: completionTokens, total_tokens: 4088 + completionTokens },
    }),
  });

  it.each([
    [
      'the server’s context, below --max-tokens',
      cut(8),
      ['--max-tokens', '32'],
      'the reply stopped at 8 tokens, below --max-tokens 32 (finish_reason: length): the server ran out of context for prompt and reply; shorten the prompt or give the server a larger context',
    ],
    [
      '--max-tokens',
      cut(32),
      ['--max-tokens', '32'],
      'the reply hit --max-tokens 32 (finish_reason: length); raise --max-tokens',
    ],
    [
      'the server’s own limit, no --max-tokens sent',
      cut(8),
      [],
      'the reply stopped at 8 tokens at the server’s own limit (finish_reason: length; no --max-tokens was sent): its context, or its default reply length (llama-server -n, Ollama num_predict); pass --max-tokens or raise the server’s limit',
    ],
  ])('%s', async (_name, response, flags, warning) => {
    const server = await serve({ respond: () => response });
    const result = await runCli(['zero-shot', 'What is 1 plus 2?', '--json', ...flags, ...endpoint(server)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).warnings).toEqual([warning]);
  });
});

describe('a server that is up but slow (item 21)', () => {
  it('says "no answer within N s", not "cannot reach"', async () => {
    const server = await serve({ latencyMs: 3_000 });
    const result = await runCli([
      'zero-shot',
      'What is 1 plus 2?',
      '--timeout',
      '0.5',
      '--retries',
      '0',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `promptlab: ${server.url} accepted the connection but sent no answer within 0.5 s (1 attempt; see --timeout)\n`,
    );
  });
});

describe('self-consistency guards (item 23)', () => {
  it('--temperature 0 warns once for the run, not once per record', async () => {
    const server = await serve();
    const result = await runCli([
      'self-consistency',
      '-d',
      await dataset(4),
      '--samples',
      '3',
      '--temperature',
      '0',
      '--jsonl',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => /temperature 0/.test(line))).toEqual([
      'warning: self-consistency at temperature 0 samples the same path every time; use --temperature 0.5–0.7',
    ]);
  });

  it('samplesUsed is the mean over records that got samples, not over errored ones', async () => {
    const server = await serve({
      respond: (call) =>
        lastUser(call).includes('What is 1 plus') ? { status: 500, body: '{"error":{"message":"down"}}' } : null,
    });
    const result = await runCli([
      'self-consistency',
      '-d',
      await dataset(3),
      '--samples',
      '5',
      '--retries',
      '0',
      '--max-errors',
      '1',
      '--json',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const { summary } = JSON.parse(result.stdout);
    expect([summary.n, summary.errors, summary.samplesUsed]).toEqual([3, 1, 5]);
  });
});
