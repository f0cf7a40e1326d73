/** `score` over files it did not write itself, in-process: promptlab's own compare output, another tool's fields. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const startServer = useTestServers();

let directory = '';
let dataset = '';

beforeAll(async () => {
  directory = await makeTempDir('promptlab-score-files-');
  dataset = join(directory, 'data.jsonl');
  const lines = Array.from({ length: 12 }, (_, index) =>
    JSON.stringify({ input: `What is ${index} plus 2?`, expected: String(index + 2) }),
  );
  await writeFile(dataset, `${lines.join('\n')}\n`);
});

describe('score of compare -o c.jsonl', () => {
  it('skips the summary lines and reports each strategy with its recorded requests, tokens and latency', async () => {
    // Zero-shot answers "plus" questions one too high; chain of thought gets them right.
    const server = await startServer({
      reply: (call, index) => {
        const text = String(arithmeticReply(call, index));
        if (/step by step/.test(JSON.stringify(call.messages))) return text;
        return text.replace(/\d+/, (number) => String(Number(number) + 1));
      },
    });
    const output = join(directory, 'c.jsonl');
    const compare = await runCli([
      ...['compare', '-t', 'math', '-d', dataset, '--strategies', 'cot,zero-shot', '-o', output],
      ...['--base-url', server.url, '-m', 'test-model'],
    ]);
    expect(compare.code).toBe(0);
    const recorded = (await readFile(output, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((line) => line.schema === 'promptlab.summary/v1');

    const scored = await runCli(['score', output, '--answer', 'number', '--json']);
    expect(scored.stderr).toBe('');
    expect(scored.code).toBe(0);
    const report = JSON.parse(scored.stdout);
    // In the compare's order, against its baseline (the first listed), whatever order the results finished in.
    expect(report).toMatchObject({ schema: 'promptlab.compare/v1', baselineStrategy: 'cot' });
    expect(report.strategies).toHaveLength(2);
    for (const [index, summary] of report.strategies.entries()) {
      const { vsBaseline: _scored, ...rest } = summary;
      const { schema: _schema, vsBaseline: _live, ...live } = recorded[index];
      expect(rest).toEqual(live);
    }
    expect(
      report.strategies.map((summary: { strategy: string; correct: number }) => [summary.strategy, summary.correct]),
    ).toEqual([
      ['cot', 12],
      ['zero-shot', 0],
    ]);
    expect(report.strategies[1].vsBaseline).toMatchObject({ strategy: 'cot', better: 0, worse: 12 });
    expect(report.strategies[0].requests).toBeGreaterThan(0);
  });
});

describe('score with another tool’s field names', () => {
  // The shape of ESC's recordings: the gold answer under `answer`, the samples under `generated_answer`.
  const esc = jsonl([
    { question: 'q1', answer: '7', generated_answer: ['The answer is 7.', 'The answer is 7.', 'The answer is 8.'] },
    { question: 'q2', answer: '3', generated_answer: ['The answer is 4.', 'The answer is 4.', 'The answer is 3.'] },
  ]);

  it('reads --expected-field and --completions-field (and --id-field)', async () => {
    const path = join(directory, 'esc.jsonl');
    await writeFile(path, esc);
    const scored = await runCli([
      ...['score', path, '--answer', 'number', '--jsonl'],
      ...['--expected-field', 'answer', '--completions-field', 'generated_answer', '--id-field', 'question'],
    ]);
    expect(scored.code).toBe(0);
    const lines = scored.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.id ?? line.schema, line.answer ?? line.accuracy, line.expected ?? null])).toEqual([
      ['q1', '7', '7'],
      ['q2', '4', '3'],
      ['promptlab.summary/v1', 0.5, null],
    ]);
  });

  it('names the flags when the default fields are missing, and the field when a flag names one that is not there', async () => {
    const path = join(directory, 'esc-plain.jsonl');
    await writeFile(path, esc);
    const plain = await runCli(['score', path]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toBe(
      `promptlab: ${path}:1: needs "completion" (a string) or "completions" (a list); another tool's field names: --completions-field NAME, --expected-field NAME\n`,
    );
    const wrong = await runCli(['score', path, '--completions-field', 'samples']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(`promptlab: ${path}:1: no field "samples" (--completions-field)\n`);
  });

  it('are documented in score --help', async () => {
    const help = await runCli(['score', '--help']);
    expect(help.stdout).toMatch(/--expected-field <name> +the field that holds the expected answer/);
    expect(help.stdout).toMatch(/--completions-field <name> +the field that holds the completion/);
    expect(help.stdout).toContain('--expected-field answer --completions-field generated_answer');
  });
});

describe('numbers in JSON', () => {
  it('carry no float noise: latencies in whole ms, rates, means and intervals to 4 decimals', async () => {
    const path = join(directory, 'noisy.jsonl');
    const record = (id: string, strategy: string, answer: string, latencyMs: number) => ({
      schema: 'promptlab.result/v1',
      ...{ id, strategy, expected: '1', latencyMs, requests: 1 },
      completions: ['The answer is 1.', `The answer is ${answer}.`, `The answer is ${answer}.`]
        .slice(strategy === 'zero-shot' ? 2 : 0)
        .map((text) => ({ text, finishReason: 'stop' })),
    });
    await writeFile(
      path,
      jsonl([
        record('a', 'zero-shot', '2', 100.3),
        record('b', 'zero-shot', '1', 103.7),
        record('c', 'zero-shot', '2', 104.9),
        record('a', 'self-consistency', '1', 200.1),
        record('b', 'self-consistency', '1', 201.7),
        record('c', 'self-consistency', '2', 233.3),
        record('d', 'zero-shot', '2', 90.2),
        record('d', 'self-consistency', '2', 240.6),
      ]),
    );
    for (const format of ['--json', '--jsonl']) {
      const scored = await runCli(['score', path, '--answer', 'number', format]);
      expect(scored.code).toBe(0);
      // Every number written has at most 4 decimals; none is a 0.99999… or …000001 left by binary arithmetic.
      for (const number of scored.stdout.match(/-?\d+\.\d+(?:e-?\d+)?/g) ?? [])
        expect(number).toMatch(/^-?\d+\.\d{1,4}$/);
      const summaries = scored.stdout
        .split(format === '--json' ? /(?!)/ : '\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text))
        .flatMap((document) => document.strategies ?? (document.schema === 'promptlab.summary/v1' ? [document] : []));
      expect(summaries.map((summary) => summary.latencyMs)).toEqual([
        { p50: 102, p95: 105 },
        { p50: 218, p95: 240 },
      ]);
      expect(summaries.map((summary) => summary.accuracy)).toEqual([0.25, 0.5]);
      // Two votes of three: 2/3 as written.
      if (format === '--jsonl') expect(scored.stdout).toContain('"agreement":0.6667');
      expect(summaries[1].ci95).toEqual(
        [summaries[1].ci95[0], summaries[1].ci95[1]].map((value) => Number(value.toFixed(4))),
      );
    }
  });
});
