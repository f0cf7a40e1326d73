/** compare and score end to end: formats, statistics, gates and record/replay through the built CLI. */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { ReplyFn } from '../support/openai-test-server.js';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { lastUser, plusAndTimesQuestions, solve } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const startServer = useTestServers();

/** Zero-shot gets every "plus" question wrong (off by one); chain of thought gets everything right. */
const zeroShotSlipsOnPlus: ReplyFn = (call) => {
  const prompt = lastUser(call);
  const answer = solve(prompt) ?? 0;
  if (/step by step/.test(prompt)) return `Working it out gives ${answer}. The answer is ${answer}.`;
  return String(/plus/.test(prompt) ? answer + 1 : answer);
};

const makeTempDir = useTempDirs();
let directory = '';
let dataset = '';
/** A previous compare --json report in which both strategies got all 20 records right. */
let allRight = '';

beforeAll(async () => {
  directory = await makeTempDir('promptlab-compare-');
  dataset = join(directory, 'data.jsonl');
  await writeFile(dataset, jsonl(plusAndTimesQuestions(10)));
  allRight = join(directory, 'all-right.json');
  await writeFile(
    allRight,
    JSON.stringify({
      schema: 'promptlab.compare/v1',
      strategies: [
        { strategy: 'zero-shot', n: 20, correct: 20, accuracy: 1 },
        { strategy: 'cot', n: 20, correct: 20, accuracy: 1 },
      ],
    }),
  );
});

async function compare(extra: string[], reply: ReplyFn = zeroShotSlipsOnPlus, run = runCli) {
  const server = await startServer({ reply });
  const result = await run([
    'compare',
    '-d',
    dataset,
    '--strategies',
    'zero-shot,cot',
    '--answer',
    'number',
    '--base-url',
    server.url,
    '-m',
    'test-model',
    ...extra,
  ]);
  return { result, server };
}

describe('compare', () => {
  it('reports both strategies with Wilson intervals and a paired exact McNemar test (json)', async () => {
    const { result, server: target } = await compare(['--format', 'json'], zeroShotSlipsOnPlus, runCliProcess);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.schema).toBe('promptlab.compare/v1');
    const [zeroShot, cot] = report.strategies;
    expect(zeroShot).toMatchObject({
      strategy: 'zero-shot',
      n: 20,
      correct: 10,
      accuracy: 0.5,
      errors: 0,
      requests: 20,
      samplesUsed: 1,
    });
    // Wilson 10/20: 0.5 ± … → [0.2993, 0.7007]
    expect(zeroShot.ci95[0]).toBeCloseTo(0.2993, 4);
    expect(zeroShot.ci95[1]).toBeCloseTo(0.7007, 4);
    expect(zeroShot.vsBaseline).toBeUndefined();
    // 10 discordant pairs all in cot's favour: p = 2 × 0.5^10 = 0.001953125
    expect(cot).toMatchObject({ strategy: 'cot', n: 20, correct: 20, accuracy: 1 });
    expect(cot.vsBaseline).toMatchObject({ strategy: 'zero-shot', delta: 0.5, better: 10, worse: 0 });
    expect(cot.vsBaseline.pValue).toBeCloseTo(0.001953125, 9);
    expect(cot.latencyMs).toEqual({ p50: expect.any(Number), p95: expect.any(Number) });
    expect(report.results).toHaveLength(40);
    expect(report.results[0]).toMatchObject({ id: 'plus-0', strategy: 'zero-shot' });
    expect(report.results[1]).toMatchObject({ id: 'plus-0', strategy: 'cot' });
    expect(target.counts.chat).toBe(40);
  });

  it('streams results then one summary line per strategy with --format jsonl', async () => {
    const { result } = await compare(['--format', 'jsonl']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.schema === 'promptlab.result/v1')).toHaveLength(40);
    expect(lines.slice(-2).map((line) => [line.schema, line.strategy, line.correct])).toEqual([
      ['promptlab.summary/v1', 'zero-shot', 10],
      ['promptlab.summary/v1', 'cot', 20],
    ]);
  });

  it('prints a Markdown table that says when a difference is significant', async () => {
    const { result } = await compare(['--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\| strategy \|/m);
    expect(result.stdout).toMatch(/^\| zero-shot \| 20 \| 10 \| 50\.0% \[29\.9–70\.1\]/m);
    expect(result.stdout).toMatch(/^\| cot \|.*\+50\.0 pts.*significant/m);
  });

  it('writes JUnit XML with one test case per record and strategy', async () => {
    const { result } = await compare(['--format', 'junit']);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/<testcase /g)).toHaveLength(40);
    expect(result.stdout).toMatch(/<testsuite name="promptlab.zero-shot"[^>]*tests="20"[^>]*failures="10"/);
    expect(result.stdout).toMatch(/<testsuite name="promptlab.cot"[^>]*tests="20"[^>]*failures="0"/);
  });

  it('exits 4 when --fail-under is missed, naming the strategy and the gap', async () => {
    const { result } = await compare(['--format', 'json', '--fail-under', '0.8'], zeroShotSlipsOnPlus, runCliProcess);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/--fail-under 0\.8.*zero-shot.*0\.5.*below/);
    expect(JSON.parse(result.stdout).strategies).toHaveLength(2); // the report is still printed
  });

  it('gates per strategy with name=threshold', async () => {
    const { result } = await compare(['--format', 'json', '--fail-under', 'cot=0.9']);
    expect(result.code).toBe(0);
  });

  it('exits 4 on a significant regression against a --baseline report, and 0 without one', async () => {
    const { result } = await compare(['--format', 'json', '--baseline', allRight]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/zero-shot/);
    expect(result.stderr).not.toMatch(/gate failed: .*\bcot\b/);
  });

  it('--alpha sets the significance level: the report carries it, the table and the --baseline gate use it', async () => {
    const { result } = await compare(['--format', 'json', '--alpha', '0.001']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).alpha).toBe(0.001);
    // cot against zero-shot is p = 0.00195: significant at the default 0.05, not at 0.001.
    const { result: markdown } = await compare(['--format', 'markdown', '--alpha', '0.001']);
    expect(markdown.stdout).toMatch(/^\| cot \|.*\+50\.0 pts.*not significant/m);
    expect(markdown.stdout).toContain('α = 0.001');
    const { result: lenient } = await compare(['--format', 'json', '--baseline', allRight, '--alpha', '0.000001']);
    expect(lenient.stderr).toBe('');
    expect(lenient.code).toBe(0);
    const { result: refused, server } = await compare(['--format', 'json', '--alpha', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^promptlab: --alpha /);
    expect(server.counts.total).toBe(0);
  });

  it('counts records whose requests fail as errors and exits 4 unless --max-errors allows them', async () => {
    const failing: ReplyFn = zeroShotSlipsOnPlus;
    const server = await startServer({
      reply: failing,
      respond: (call) =>
        lastUser(call).includes('What is 3 times 3?') ? { status: 500, body: '{"error":{"message":"boom"}}' } : null,
    });
    const args = [
      'compare',
      '-d',
      dataset,
      '--strategies',
      'zero-shot,cot',
      '--answer',
      'number',
      '--retries',
      '0',
      '--base-url',
      server.url,
      '-m',
      'test-model',
      '--format',
      'json',
    ];
    const strict = await runCli(args);
    expect(strict.code).toBe(4);
    const report = JSON.parse(strict.stdout);
    expect(report.strategies.map((summary: { errors: number }) => summary.errors)).toEqual([1, 1]);
    expect(strict.stderr).toMatch(/--max-errors/);
    const tolerant = await runCli([...args, '--max-errors', '1']);
    expect(tolerant.code).toBe(0);
  });
});

describe('record and replay', () => {
  it('replays a cached run with zero HTTP requests and the same numbers', async () => {
    const cache = join(directory, 'cache');
    const { result: recorded, server: recordServer } = await compare(['--format', 'json', '--cache', cache]);
    expect(recorded.code).toBe(0);
    expect(recordServer.counts.chat).toBe(40);
    expect((await readdir(cache)).filter((name) => name.endsWith('.json'))).toHaveLength(40);
    await recordServer.close();
    const { result: replayed, server: replayServer } = await compare([
      '--format',
      'json',
      '--cache',
      cache,
      '--replay',
    ]);
    expect(replayed.code).toBe(0);
    expect(replayServer.counts.total).toBe(0);
    const before = JSON.parse(recorded.stdout).strategies.map((summary: { correct: number; usage: unknown }) => [
      summary.correct,
      summary.usage,
    ]);
    const after = JSON.parse(replayed.stdout).strategies.map(
      (summary: { correct: number; usage: unknown; requests: number }) => [summary.correct, summary.usage],
    );
    expect(after).toEqual(before);
  });

  it('fails a replay that misses the cache and names the record', async () => {
    const cache = join(directory, 'empty-cache');
    const { result, server: target } = await compare(['--format', 'json', '--cache', cache, '--replay']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^promptlab: ${dataset.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1 \\(id plus-0, (zero-shot|cot)\\): --replay: no cached answer`,
      ),
    );
    expect(target.counts.total).toBe(0);
  });
});

describe('score', () => {
  it('votes over recorded completions, honours --max-samples, and simulates --stop esc', async () => {
    const recorded = join(directory, 'recorded.jsonl');
    await writeFile(
      recorded,
      `${[
        {
          id: 'a',
          expected: '7',
          completions: ['so 7. The answer is 7.', 'The answer is 7.', 'The answer is 8.', 'The answer is 7.'],
        },
        {
          id: 'b',
          expected: '3',
          completions: [
            'The answer is 4.',
            'The answer is 4.',
            'The answer is 3.',
            'The answer is 3.',
            'The answer is 3.',
          ],
        },
        { id: 'c', expected: '10', completion: 'I think it is 10.' },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n')}\n`,
    );
    const all = await runCliProcess(['score', recorded, '--answer', 'number', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ n: 3, correct: 3, accuracy: 1, samplesUsed: 3.3333 });

    const firstTwo = await runCliProcess(['score', recorded, '--answer', 'number', '--max-samples', '2', '--jsonl']);
    const lines = firstTwo.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.id ?? line.schema, line.answer ?? line.correct])).toEqual([
      ['a', '7'],
      ['b', '4'],
      ['c', '10'],
      ['promptlab.summary/v1', 2],
    ]);

    const early = await runCliProcess([
      'score',
      recorded,
      '--answer',
      'number',
      '--stop',
      'esc',
      '--window',
      '2',
      '--jsonl',
    ]);
    const samples = early.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .slice(0, 3)
      .map((line) => line.samplesUsed);
    expect(samples).toEqual([2, 2, 1]); // a: 7,7 unanimous; b: 4,4 unanimous (and wrong); c: one sample
  });

  it('re-scores promptlab result files with another match mode', async () => {
    const results = join(directory, 'results.jsonl');
    await writeFile(
      results,
      `${JSON.stringify({ schema: 'promptlab.result/v1', id: 'x', strategy: 'cot', expected: '5', completions: [{ text: 'The answer is 5.0', answer: '5', finishReason: 'stop' }] })}\n`,
    );
    const exact = await runCli(['score', results, '--answer', 'number', '--match', 'exact', '--json']);
    const numeric = await runCli(['score', results, '--answer', 'number', '--match', 'numeric', '--json']);
    expect(JSON.parse(exact.stdout).correct).toBe(0);
    expect(JSON.parse(numeric.stdout).correct).toBe(1);
  });
});
