/** Each strategy end to end: the built CLI as a child process, the real openai SDK, a loopback server. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { TestServer, TestServerOptions } from '../support/openai-test-server.js';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { arithmeticReply, samplingReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const startServer = useTestServers();

function serve(options: TestServerOptions = {}): Promise<TestServer> {
  return startServer({ reply: arithmeticReply, ...options });
}

async function tempFiles(files: Record<string, string>): Promise<string> {
  const directory = await makeTempDir('promptlab-e2e-');
  await Promise.all(Object.entries(files).map(([name, content]) => writeFile(join(directory, name), content)));
  return directory;
}

const endpoint = (target: TestServer) => ['--base-url', target.url, '-m', 'test-model'];

describe('zero-shot', () => {
  it('answers a positional input as one JSON result with the contract fields', async () => {
    const target = await serve();
    const result = await runCliProcess([
      'zero-shot',
      'What is 12 plus 30?',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({
      schema: 'promptlab.result/v1',
      id: 'input',
      strategy: 'zero-shot',
      model: 'test-model',
      template: 'question',
      vars: { input: 'What is 12 plus 30?' },
      answer: '42',
      expected: null,
      correct: null,
      completions: [{ text: '42', answer: '42', finishReason: 'stop' }],
      samplesUsed: 1,
      requests: 1,
      error: null,
    });
    expect(record.usage.totalTokens).toBe(record.usage.promptTokens + record.usage.completionTokens);
    expect(record.usage.totalTokens).toBeGreaterThan(0);
    expect(target.calls).toHaveLength(1);
    expect(target.calls[0]!.temperature).toBe(0);
    expect(target.calls[0]!.messages).toEqual([{ role: 'user', content: 'What is 12 plus 30?' }]);
  });

  it('reads the input from stdin when none is given and defaults to JSON when stdout is a pipe', async () => {
    const target = await serve();
    const result = await runCliProcess(['zero-shot', '--answer', 'number', ...endpoint(target)], {
      stdin: 'What is 9 minus 4?\n',
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).answer).toBe('5');
    expect(target.calls[0]!.messages[0]!.content).toBe('What is 9 minus 4?');
  });

  it('streams one JSON line per dataset record and scores against expected', async () => {
    const target = await serve();
    const directory = await tempFiles({
      'data.jsonl': jsonl([
        { id: 'a', input: 'What is 1 plus 1?', expected: 2 },
        { id: 'b', input: 'What is 2 times 3?', expected: '6' },
        { id: 'c', input: 'What is 5 minus 1?', expected: 5 },
      ]),
    });
    const result = await runCli([
      'zero-shot',
      '-d',
      join(directory, 'data.jsonl'),
      '--jsonl',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.id, line.answer, line.correct]).sort()).toEqual([
      ['a', '2', true],
      ['b', '6', true],
      ['c', '4', false],
    ]);
    expect(target.counts.chat).toBe(3);
  });
});

describe('few-shot', () => {
  const examples = jsonl([
    { input: 'What is 1 plus 2?', output: '3' },
    { input: 'What is 4 times 2?', output: '8' },
    { input: 'What is 7 minus 2?', output: '5' },
  ]);

  it('puts k demonstrations before the input as user/assistant turns', async () => {
    const target = await serve();
    const directory = await tempFiles({ 'examples.jsonl': examples });
    const result = await runCliProcess([
      'few-shot',
      'What is 3 plus 3?',
      '--examples',
      join(directory, 'examples.jsonl'),
      '--shots',
      '2',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).answer).toBe('6');
    expect(target.calls[0]!.messages).toEqual([
      { role: 'user', content: 'What is 1 plus 2?' },
      { role: 'assistant', content: '3' },
      { role: 'user', content: 'What is 4 times 2?' },
      { role: 'assistant', content: '8' },
      { role: 'user', content: 'What is 3 plus 3?' },
    ]);
  });

  it('keeps demonstrations inline as Q:/A: blocks with --demo-format inline', async () => {
    const target = await serve();
    const directory = await tempFiles({ 'examples.jsonl': examples });
    const result = await runCli([
      'few-shot',
      'What is 3 plus 3?',
      '--examples',
      join(directory, 'examples.jsonl'),
      '--shots',
      '1',
      '--demo-format',
      'inline',
      '--json',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    expect(target.calls[0]!.messages).toEqual([
      { role: 'user', content: 'Q: What is 1 plus 2?\nA: 3\n\nQ: What is 3 plus 3?\nA:' },
    ]);
  });

  it('refuses more shots than the file holds, naming the flag and file', async () => {
    const directory = await tempFiles({ 'examples.jsonl': examples });
    const result = await runCli([
      'few-shot',
      'x',
      '--examples',
      join(directory, 'examples.jsonl'),
      '--shots',
      '999',
      '-m',
      'm',
      '--base-url',
      'http://127.0.0.1:9/v1',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `promptlab: --shots 999 is more than the 3 demonstration(s) in ${join(directory, 'examples.jsonl')}\n`,
    );
  });
});

describe('in-context', () => {
  const pool = jsonl([
    { id: 'p1', input: 'A train travels 60 miles in 2 hours. What is its speed?', output: '30' },
    { id: 'p2', input: 'Tom has 3 apples and buys 4 more apples. How many apples?', output: '7' },
    { id: 'p3', input: 'A recipe needs 2 cups of flour per cake. How much flour for 5 cakes?', output: '10' },
    { id: 'p4', input: 'Sara has 5 apples and eats 2 apples. How many apples are left?', output: '3' },
  ]);

  it('selects the most similar demonstrations per input, most similar last, never the record itself', async () => {
    const target = await serve({ reply: () => '9' });
    const directory = await tempFiles({
      'pool.jsonl': pool,
      'data.jsonl': jsonl([
        { id: 'q1', input: 'Ann has 6 apples and buys 3 more apples. How many apples?', expected: '9' },
        { id: 'p4', input: 'Sara has 5 apples and eats 2 apples. How many apples are left?', expected: '3' },
      ]),
    });
    const result = await runCliProcess([
      'in-context',
      '-d',
      join(directory, 'data.jsonl'),
      '--pool',
      join(directory, 'pool.jsonl'),
      '--shots',
      '2',
      '--json',
      '-c',
      '1',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0); // p4 is answered wrongly by the fixed reply: a wrong answer, not an error
    const document = JSON.parse(result.stdout);
    const byId = Object.fromEntries(document.results.map((record: { id: string }) => [record.id, record]));
    expect(byId.q1.demonstrations).toEqual(['p4', 'p2']);
    expect(byId.p4.demonstrations).not.toContain('p4');
    const firstCall = target.calls.find((call) => call.messages.at(-1)!.content.startsWith('Ann'))!;
    expect(firstCall.messages.map((message) => message.content)).toEqual([
      'Sara has 5 apples and eats 2 apples. How many apples are left?',
      '3',
      'Tom has 3 apples and buys 4 more apples. How many apples?',
      '7',
      'Ann has 6 apples and buys 3 more apples. How many apples?',
    ]);
  });

  it('selects by embeddings from the endpoint and adds context documents', async () => {
    const target = await serve({ reply: () => '9' });
    const directory = await tempFiles({ 'pool.jsonl': pool, 'notes.txt': 'Apples are counted one by one.' });
    const result = await runCli([
      'in-context',
      'Ann has 6 apples and buys 3 more apples. How many apples?',
      '--pool',
      join(directory, 'pool.jsonl'),
      '--shots',
      '1',
      '--select',
      'embedding',
      '--context',
      join(directory, 'notes.txt'),
      '--json',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(target.counts.embeddings).toBe(2); // the pool once, the input once
    expect(record.requests).toBe(3);
    expect(target.calls[0]!.messages[0]).toEqual({
      role: 'system',
      content: 'Use these documents where they help:\n\n--- notes.txt ---\nApples are counted one by one.',
    });
    expect(target.calls[0]!.messages).toHaveLength(4);
    expect(target.embeddingModels).toEqual(['test-model', 'test-model']); // --embedding-model defaults to --model
  });

  it('asks --embedding-model for the embeddings and --model for the answer', async () => {
    const target = await serve({ reply: () => '9' });
    const directory = await tempFiles({ 'pool.jsonl': pool });
    const result = await runCli([
      'in-context',
      'Ann has 6 apples and buys 3 more apples. How many apples?',
      ...['--pool', join(directory, 'pool.jsonl'), '--shots', '1', '--select', 'embedding'],
      ...['--embedding-model', 'embedder', '--json'],
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    expect(target.embeddingModels).toEqual(['embedder', 'embedder']);
    expect(target.calls.map((call) => call.model)).toEqual(['test-model']);
  });
});

describe('cot', () => {
  it('appends the trigger and extracts the answer from the reasoning by pattern', async () => {
    const target = await serve();
    const result = await runCliProcess([
      'cot',
      'What is 6 times 7?',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.answer).toBe('42');
    expect(record.completions[0].text).toContain('The answer is 42.');
    expect(target.calls[0]!.messages.at(-1)!.content).toBe("What is 6 times 7?\n\nLet's think step by step.");
  });

  it('extracts with a second call in the form of Kojima et al. with --extract two-stage', async () => {
    const target = await serve();
    const result = await runCli([
      'cot',
      'What is 6 times 7?',
      '--extract',
      'two-stage',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({ answer: '42', requests: 2 });
    expect(record.completions[0].answerStep).toBe(' 42.');
    expect(target.calls).toHaveLength(2);
    expect(target.calls[1]!.messages.at(-1)!.content).toBe(
      "Q: What is 6 times 7?\nA: Let's think step by step. We compute the operation carefully. The result is 42. The answer is 42.\nTherefore, the answer (arabic numerals) is",
    );
  });

  it('uses worked demonstrations (few-shot CoT) instead of the trigger when examples carry reasoning', async () => {
    const target = await serve();
    const directory = await tempFiles({
      'cot.jsonl': jsonl([{ input: 'What is 1 plus 2?', reasoning: '1 and 2 make 3.', output: '3' }]),
    });
    const result = await runCli([
      'cot',
      'What is 6 times 7?',
      '--examples',
      join(directory, 'cot.jsonl'),
      '--json',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    expect(target.calls[0]!.messages).toEqual([
      { role: 'user', content: 'What is 1 plus 2?' },
      { role: 'assistant', content: '1 and 2 make 3. The answer is 3.' },
      { role: 'user', content: 'What is 6 times 7?' },
    ]);
  });
});

describe('self-consistency', () => {
  it('asks for n samples in one request where the endpoint honours n, and votes', async () => {
    const target = await serve({ reply: samplingReply(new Set([1, 3])) });
    const result = await runCliProcess([
      'self-consistency',
      'What is 6 times 7?',
      '--samples',
      '5',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({
      answer: '42',
      votes: { '42': 3, '43': 2 },
      agreement: 0.6,
      samplesUsed: 5,
      requests: 1,
    });
    expect(target.calls).toHaveLength(1);
    expect(target.calls[0]).toMatchObject({ n: 5, temperature: 0.7 });
  });

  it('fetches the missing samples as separate requests with distinct seeds when the server ignores n', async () => {
    const target = await serve({ reply: samplingReply(new Set([0])), nMode: 'ignore' });
    const result = await runCli([
      'self-consistency',
      'What is 6 times 7?',
      '--samples',
      '4',
      '--seed',
      '7',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record).toMatchObject({ answer: '42', votes: { '43': 1, '42': 3 }, samplesUsed: 4, requests: 4 });
    const seeds = target.calls.map((call) => call.seed);
    expect(new Set(seeds).size).toBe(4);
  });

  it('falls back to separate requests after a 400 on n and remembers it for the next records', async () => {
    const target = await serve({ reply: samplingReply(new Set()), nMode: 'reject' });
    const directory = await tempFiles({
      'data.jsonl': jsonl([
        { input: 'What is 1 plus 1?', expected: 2 },
        { input: 'What is 2 plus 2?', expected: 4 },
      ]),
    });
    const result = await runCli([
      'self-consistency',
      '-d',
      join(directory, 'data.jsonl'),
      '--samples',
      '3',
      '-c',
      '1',
      '--jsonl',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((record) => record.correct)).toEqual([true, true]);
    // Record 1: one rejected n=3 request, then 3 singles; record 2: 3 singles straight away.
    expect(target.calls.map((call) => call.n)).toEqual([3, 1, 1, 1, 1, 1, 1]);
  });

  it('warns, on stderr and in the record, when samples at T > 0 are byte-identical', async () => {
    const target = await serve({ reply: samplingReply(new Set()), identicalSamples: true, nMode: 'ignore' });
    const result = await runCli([
      'self-consistency',
      'What is 6 times 7?',
      '--samples',
      '3',
      '--json',
      '--answer',
      'number',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.warnings.join(' ')).toMatch(/byte-identical/);
    expect(result.stderr).toMatch(/warning: .*byte-identical/);
  });

  // A server that always gives the same answer. esc stops when a window of 4 is unanimous; beta stops
  // at four agreeing samples, P(p > 0.5) = 31/32 ≥ 0.95 (three give 15/16 < 0.95), though its window
  // of 5 drew five, and all five are listed.
  for (const { rule, when, window } of [
    { rule: 'esc', when: 'after one window when the window is unanimous', window: 4 },
    { rule: 'beta', when: 'once the leader is confidently ahead', window: 5 },
  ]) {
    it(`stops with --stop ${rule} ${when}`, async () => {
      const target = await serve({ reply: samplingReply(new Set()) });
      const result = await runCli([
        'self-consistency',
        'What is 6 times 7?',
        '--samples',
        '20',
        '--stop',
        rule,
        '--window',
        String(window),
        '--json',
        '--answer',
        'number',
        ...endpoint(target),
      ]);
      expect(result.code).toBe(0);
      const record = JSON.parse(result.stdout);
      expect(record).toMatchObject({ samplesUsed: 4, requests: 1, votes: { '42': 4 } });
      expect(target.calls.map((call) => call.n)).toEqual([window]);
      expect(record.completions).toHaveLength(window);
    });
  }
});

describe('options that change what is sent', () => {
  const examples = jsonl(
    Array.from({ length: 6 }, (_, index) => ({ input: `What is ${index} plus 1?`, output: String(index + 1) })),
  );

  it('draws --order random demonstrations reproducibly from --seed', async () => {
    const target = await serve();
    const directory = await tempFiles({ 'examples.jsonl': examples });
    const run = (seed: string) =>
      runCli([
        'few-shot',
        'What is 3 plus 3?',
        '--examples',
        join(directory, 'examples.jsonl'),
        '--shots',
        '3',
        '--order',
        'random',
        '--seed',
        seed,
        '--dry-run',
        '--json',
      ]);
    const questions = async (seed: string) =>
      JSON.parse((await run(seed)).stdout)
        .messages.filter((message: { role: string }) => message.role === 'user')
        .map((message: { content: string }) => message.content);
    const first = await questions('1');
    expect(await questions('1')).toEqual(first);
    expect(first).toHaveLength(4);
    expect(first.slice(0, 3)).not.toEqual(['What is 0 plus 1?', 'What is 1 plus 1?', 'What is 2 plus 1?']);
    expect(target.counts.total).toBe(0);
  });

  it('selects --select random demonstrations from the pool without the record itself', async () => {
    const directory = await tempFiles({ 'pool.jsonl': examples });
    const result = await runCli([
      'in-context',
      'What is 2 plus 1?',
      '--pool',
      join(directory, 'pool.jsonl'),
      '--shots',
      '5',
      '--select',
      'random',
      '--dry-run',
      '--json',
    ]);
    const users = JSON.parse(result.stdout)
      .messages.filter((message: { role: string }) => message.role === 'user')
      .map((message: { content: string }) => message.content);
    expect(users).toHaveLength(6);
    expect(users.slice(0, 5)).not.toContain('What is 2 plus 1?');
  });

  it('--system replaces the template system message, or comes first when it has none, demonstrations kept', async () => {
    const target = await serve();
    const directory = await tempFiles({ 'examples.jsonl': examples });
    const replaced = await runCli([
      'zero-shot',
      'What is 2 plus 2?',
      '-t',
      'math',
      '--system',
      'Answer with the number only.',
      '--json',
      ...endpoint(target),
    ]);
    expect(replaced.code).toBe(0);
    expect(target.calls[0]!.messages).toEqual([
      { role: 'system', content: 'Answer with the number only.' },
      { role: 'user', content: 'What is 2 plus 2?' },
    ]);
    const added = await runCli([
      'few-shot',
      'What is 3 plus 3?',
      '--examples',
      join(directory, 'examples.jsonl'),
      '--shots',
      '1',
      '--system',
      'Be brief.',
      '--dry-run',
      '--json',
    ]);
    expect(JSON.parse(added.stdout).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 0 plus 1?' },
      { role: 'assistant', content: '1' },
      { role: 'user', content: 'What is 3 plus 3?' },
    ]);
    const empty = await runCli(['zero-shot', 'hi', '--system', ' ', '--dry-run']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--system: give the instruction text/);
  });

  it('appends a custom --trigger', async () => {
    const result = await runCli(['cot', 'What is 2 plus 2?', '--trigger', 'Think carefully.', '--dry-run', '--json']);
    expect(JSON.parse(result.stdout).messages.at(-1).content).toBe('What is 2 plus 2?\n\nThink carefully.');
  });
});

describe('--dry-run', () => {
  it('prints the messages each strategy would send and calls nothing', async () => {
    const target = await serve();
    const result = await runCli([
      'cot',
      'What is 2 plus 2?',
      '-t',
      'math',
      '--dry-run',
      '--json',
      '--base-url',
      target.url,
    ]);
    expect(result.code).toBe(0);
    const rendered = JSON.parse(result.stdout);
    expect(rendered.strategy).toBe('cot');
    expect(rendered.messages.at(-1)).toEqual({
      role: 'user',
      content: "What is 2 plus 2?\n\nLet's think step by step.",
    });
    expect(target.counts.total).toBe(0);
  });
});
