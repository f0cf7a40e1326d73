/**
 * `promptlab batch` end to end: the built CLI against a loopback Batch API server (and, for the
 * interactive reference run, the loopback chat server) answering through the same scripted model.
 * The contract under test: prepared → submitted → collected gives the result records of an
 * interactive run of the same strategy, phase by phase where the strategy needs several rounds.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import { startBatchServer, type BatchServer, type BatchServerOptions } from '../support/batch-server.js';
import { startTestServer, type ReplyFn, type TestServer } from '../support/openai-test-server.js';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { arithmeticReply, lastUser, samplingReply, solve } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function batchServer(options: BatchServerOptions): Promise<BatchServer> {
  const server = await startBatchServer(options);
  servers.push(server);
  return server;
}

async function chatServer(reply: ReplyFn): Promise<TestServer> {
  const server = await startTestServer({ reply });
  servers.push(server);
  return server;
}
const parseLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const dataset = [
  { id: 'a', input: 'What is 1 plus 1?', expected: 2 },
  { id: 'b', input: 'What is 2 times 3?', expected: '6' },
  { id: 'c', input: 'What is 5 minus 1?', expected: 5 },
];

async function workspace(records: object[] = dataset): Promise<{ root: string; data: string; dir: string }> {
  const root = await makeTempDir('promptlab-batch-');
  await writeFile(join(root, 'data.jsonl'), jsonl(records));
  return { root, data: join(root, 'data.jsonl'), dir: join(root, 'run') };
}

/** What may differ between a batch and an interactive run of the same records: timing and HTTP request counts. */
function comparable(record: Record<string, unknown>): Record<string, unknown> {
  const { latencyMs: _latency, requests: _requests, ...rest } = record;
  return rest;
}

const byId = (records: Array<Record<string, unknown>>) =>
  [...records].sort((left, right) => String(left.id).localeCompare(String(right.id))).map(comparable);

async function interactive(reply: ReplyFn, data: string, args: string[]): Promise<Array<Record<string, unknown>>> {
  const server = await chatServer(reply);
  const result = await runCli([...args, '-d', data, '--jsonl', '--base-url', server.url, '-m', 'test-model']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseLines(result.stdout);
}

async function prepare(args: string[], run = runCli): Promise<Record<string, unknown>> {
  const result = await run(['batch', 'prepare', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

async function submit(dir: string, server: BatchServer, run = runCli): Promise<Record<string, unknown>> {
  const result = await run(['batch', 'submit', dir, '--base-url', server.url]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

async function collect(dir: string, extra: string[] = [], run = runCli) {
  return run(['batch', 'collect', dir, '--jsonl', ...extra]);
}

describe('batch: zero-shot', () => {
  it('prepares without sending, submits, shows status, and collects the interactive run’s records', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply });
    const prepared = await prepare(
      ['zero-shot', '-d', data, '-m', 'test-model', '--answer', 'number', '-o', dir],
      runCliProcess,
    );
    expect(prepared).toMatchObject({ phase: 1, requests: 3, files: [{ name: 'requests-001.jsonl', requests: 3 }] });
    expect(server.counts.total).toBe(0);

    const lines = parseLines(await readFile(join(dir, 'requests-001.jsonl'), 'utf8'));
    expect(lines[0]).toEqual({
      custom_id: expect.stringMatching(/^[0-9a-f]{64}$/),
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'test-model', messages: [{ role: 'user', content: 'What is 1 plus 1?' }], temperature: 0 },
    });
    const manifest = parseLines(await readFile(join(dir, 'manifest.jsonl'), 'utf8'));
    expect(manifest.map((entry) => [entry.recordId, entry.strategy, entry.phase, entry.firstSample, entry.n])).toEqual([
      ['a', 'zero-shot', 1, 0, 1],
      ['b', 'zero-shot', 1, 0, 1],
      ['c', 'zero-shot', 1, 0, 1],
    ]);
    expect(manifest.map((entry) => entry.customId)).toEqual(lines.map((line) => line.custom_id));

    const submitted = await submit(dir, server, runCliProcess);
    expect(submitted.submitted).toEqual([
      { file: 'requests-001.jsonl', batchId: expect.stringMatching(/^batch_/), status: 'validating', requests: 3 },
    ]);
    const [upload] = [...server.files.values()];
    expect(upload).toMatchObject({ filename: 'requests-001.jsonl', purpose: 'batch' });
    expect(upload!.content).toBe(await readFile(join(dir, 'requests-001.jsonl'), 'utf8'));
    const [batch] = [...server.batches.values()];
    expect(batch).toMatchObject({ endpoint: '/v1/chat/completions', completionWindow: '24h', inputFileId: upload!.id });

    // Status goes back to the endpoint the batch was submitted to: no --base-url needed.
    const status = await runCliProcess(['batch', 'status', dir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).files).toEqual([
      expect.objectContaining({
        file: 'requests-001.jsonl',
        phase: 1,
        status: 'in_progress',
        requestCounts: { total: 3, completed: 0, failed: 0 },
      }),
    ]);

    const collected = await collect(dir, [], runCliProcess);
    expect(collected.stderr).toBe('');
    expect(collected.code).toBe(0);
    const results = parseLines(collected.stdout);
    expect(results.map((result) => [result.id, result.answer, result.correct, result.error])).toEqual([
      ['a', '2', true, null],
      ['b', '6', true, null],
      ['c', '4', false, null],
    ]);
    expect(byId(results)).toEqual(byId(await interactive(arithmeticReply, data, ['zero-shot', '--answer', 'number'])));
    expect(server.executed).toHaveLength(3);

    // Collected answers stay in DIR: collecting again prints the same without asking the endpoint for output again.
    const downloads = server.counts.downloads;
    const again = await collect(dir);
    expect(parseLines(again.stdout).map(comparable)).toEqual(results.map(comparable));
    expect(server.counts.downloads).toBe(downloads);
  });

  it('says which batches are still running and prints no results until they finish', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply });
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '-o', dir]);
    await submit(dir, server);
    const early = await collect(dir);
    expect(early.code).toBe(3);
    expect(early.stdout).toBe('');
    expect(early.stderr).toMatch(
      /^promptlab: collected no results: 3 of 3 records wait for requests already prepared: 1 batch\(es\) still running/,
    );
    const done = await collect(dir);
    expect(parseLines(done.stdout)).toHaveLength(3);
  });
});

describe('batch: self-consistency', () => {
  it('asks for all samples in one request (n) and collects the interactive votes', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: samplingReply(new Set([1])), progress: 'immediate' });
    const args = ['self-consistency', '--samples', '4', '--answer', 'number'];
    await prepare([...args, '-d', data, '-m', 'test-model', '-o', dir]);
    const lines = parseLines(await readFile(join(dir, 'requests-001.jsonl'), 'utf8'));
    expect(lines.map((line) => (line.body as { n: number; temperature: number }).n)).toEqual([4, 4, 4]);
    expect((lines[0]!.body as { temperature: number }).temperature).toBe(0.7);
    const manifest = parseLines(await readFile(join(dir, 'manifest.jsonl'), 'utf8'));
    expect((manifest[0]!.sampleKeys as string[]).length).toBe(4);

    await submit(dir, server);
    const collected = await collect(dir);
    expect(collected.code).toBe(0);
    const results = parseLines(collected.stdout);
    expect(results[0]).toMatchObject({
      id: 'a',
      answer: '2',
      votes: { '2': 3, '3': 1 },
      agreement: 0.75,
      samplesUsed: 4,
    });
    expect(byId(results)).toEqual(byId(await interactive(samplingReply(new Set([1])), data, args)));
  });

  it('keeps --normalize from prepare to collect: the spellings of one answer vote together', async () => {
    const { data, dir } = await workspace([{ id: 'l', input: 'Take the last letters', expected: 'aaoy' }]);
    const spellings = ["'aao y'", 'aaoy', 'aao y', 'onea'];
    const reply: ReplyFn = (_call, choiceIndex) => `The answer is ${spellings[choiceIndex % 4]}.`;
    const server = await batchServer({ reply, progress: 'immediate' });
    const args = ['self-consistency', '--samples', '4', '--answer', 'text', '--normalize', 'remove-whitespace'];
    await prepare([...args, '-d', data, '-m', 'test-model', '-o', dir]);
    await submit(dir, server);
    const collected = await collect(dir);
    expect(collected.code).toBe(0);
    const results = parseLines(collected.stdout);
    expect(results[0]).toMatchObject({ answer: "'aao y'.", votes: { aaoy: 3, onea: 1 }, correct: true });
    expect(byId(results)).toEqual(byId(await interactive(reply, data, args)));
  });

  it('runs --stop esc window by window, one phase per window, and matches the interactive run', async () => {
    const { data, dir } = await workspace();
    // Additions disagree in every window (sample 1 is off by one); the other questions are unanimous at once.
    const reply: ReplyFn = (call, choiceIndex) => {
      const question = lastUser(call);
      const answer = (solve(question) ?? 0) + (/plus/.test(question) && choiceIndex === 1 ? 1 : 0);
      return `Path ${choiceIndex}: working it out, we get ${answer}. The answer is ${answer}.`;
    };
    const server = await batchServer({ reply, progress: 'immediate' });
    const args = ['self-consistency', '--samples', '6', '--stop', 'esc', '--window', '3', '--answer', 'number'];
    await prepare([...args, '-d', data, '-m', 'test-model', '-o', dir]);
    await submit(dir, server);
    const first = await collect(dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`1 of 3 records need phase 2: run "promptlab batch prepare ${dir}"`);

    const second = await prepare([dir]);
    expect(second).toMatchObject({ phase: 2, requests: 1, files: [{ name: 'requests-002.jsonl', requests: 1 }] });
    const [line] = parseLines(await readFile(join(dir, 'requests-002.jsonl'), 'utf8'));
    expect((line!.body as { n: number }).n).toBe(3);
    await submit(dir, server);
    const results = parseLines((await collect(dir)).stdout);
    expect(results.map((result) => [result.id, result.samplesUsed])).toEqual([
      ['a', 6],
      ['b', 3],
      ['c', 3],
    ]);
    expect(byId(results)).toEqual(byId(await interactive(reply, data, args)));
  });
});

describe('batch: two-stage chain of thought', () => {
  it('completes in two phases: reasoning, then answer extraction', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply, progress: 'immediate' });
    const args = ['cot', '--extract', 'two-stage', '--answer', 'number'];
    await prepare([...args, '-d', data, '-m', 'test-model', '-o', dir]);
    await submit(dir, server);
    const first = await collect(dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('3 of 3 records need phase 2');

    // Nothing new to prepare until phase 2's answers are in, and preparing twice sends nothing twice.
    const second = await prepare([dir]);
    expect(second).toMatchObject({ phase: 2, requests: 3 });
    const again = await prepare([dir]);
    expect(again).toMatchObject({ phase: null, requests: 0, records: { waiting: 3 } });
    const extraction = parseLines(await readFile(join(dir, 'requests-002.jsonl'), 'utf8'));
    expect(extraction.map((line) => (line.body as { max_tokens: number }).max_tokens)).toEqual([32, 32, 32]);
    expect(lastUserOf(extraction[0]!)).toMatch(/Therefore, the answer \(arabic numerals\) is/);

    await submit(dir, server);
    const collected = await collect(dir);
    expect(collected.code).toBe(0);
    const results = parseLines(collected.stdout);
    expect(results[0]).toMatchObject({ id: 'a', answer: '2', completions: [{ answerStep: ' 2.' }] });
    expect(byId(results)).toEqual(byId(await interactive(arithmeticReply, data, args)));
  });
});

const lastUserOf = (line: Record<string, unknown>) =>
  ((line.body as { messages: Array<{ content: string }> }).messages.at(-1) ?? { content: '' }).content;

describe('batch: failed lines', () => {
  it('turn into per-record errors, and resubmit sends only those', async () => {
    const { data, dir } = await workspace();
    let failing = true;
    const server = await batchServer({
      reply: arithmeticReply,
      progress: 'immediate',
      failLine: (_customId, body) =>
        failing && JSON.stringify(body).includes('2 times 3')
          ? 'The server had an error while processing your request.'
          : null,
    });
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '--answer', 'number', '-o', dir]);
    await submit(dir, server);
    const collected = await collect(dir);
    // As interactively: the other records are printed, and an errored record fails the default --max-errors 0 gate.
    expect(collected.code).toBe(4);
    const results = parseLines(collected.stdout);
    expect(results.map((result) => [result.id, result.error === null])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(results[1]!.error).toMatch(
      new RegExp(
        `^batch request [0-9a-f]{12} failed: server_error: The server had an error while processing your request\\.; "promptlab batch resubmit ${dir}" sends it again$`,
      ),
    );
    const failures = parseLines(await readFile(join(dir, 'failures.jsonl'), 'utf8'));
    expect(failures).toHaveLength(1);

    failing = false;
    const resubmitted = await runCli(['batch', 'resubmit', dir]);
    expect(resubmitted.code).toBe(0);
    expect(JSON.parse(resubmitted.stdout).submitted).toEqual([
      expect.objectContaining({ file: 'requests-002.jsonl', requests: 1 }),
    ]);
    expect(server.batches.size).toBe(2);
    const resent = parseLines(await readFile(join(dir, 'requests-002.jsonl'), 'utf8'));
    expect(resent.map((line) => line.custom_id)).toEqual([failures[0]!.customId]);
    expect(server.executed.slice(3).map((line) => line.customId)).toEqual([failures[0]!.customId]);

    const final = await collect(dir);
    expect(final.code).toBe(0);
    expect(await readFile(join(dir, 'failures.jsonl'), 'utf8')).toBe('');
    expect(byId(parseLines(final.stdout))).toEqual(
      byId(await interactive(arithmeticReply, data, ['zero-shot', '--answer', 'number'])),
    );
  });
});

describe('batch: output made elsewhere', () => {
  it('collect --from reads a vllm run-batch output file, failed lines included', async () => {
    const { root, data, dir } = await workspace();
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '--answer', 'number', '-o', dir]);
    const requests = parseLines(await readFile(join(dir, 'requests-001.jsonl'), 'utf8'));
    // What `vllm run-batch -i requests-001.jsonl -o out.jsonl` writes: an answered line, and its error line shape.
    const output = requests.map((line, index) =>
      index === 2
        ? {
            id: `vllm-${index}`,
            custom_id: line.custom_id,
            response: { status_code: 400, request_id: `vllm-batch-${index}`, body: null },
            error: "This model's maximum context length is 2048 tokens.",
          }
        : {
            id: `vllm-${index}`,
            custom_id: line.custom_id,
            response: {
              status_code: 200,
              request_id: `vllm-batch-${index}`,
              body: {
                id: `chatcmpl-${index}`,
                object: 'chat.completion',
                model: 'test-model',
                choices: [
                  {
                    index: 0,
                    message: { role: 'assistant', content: index === 0 ? '2' : '6' },
                    finish_reason: 'stop',
                    logprobs: null,
                  },
                ],
                usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
              },
            },
            error: null,
          },
    );
    await writeFile(join(root, 'out.jsonl'), jsonl(output));
    const collected = await collect(dir, ['--from', join(root, 'out.jsonl')]);
    const results = parseLines(collected.stdout);
    expect(results.map((result) => [result.id, result.answer, result.correct])).toEqual([
      ['a', '2', true],
      ['b', '6', true],
      ['c', null, null],
    ]);
    expect(results[0]!.usage).toEqual({ promptTokens: 10, completionTokens: 1, totalTokens: 11 });
    expect(results[2]!.error).toMatch(
      /failed \(400\): This model's maximum context length is 2048 tokens\.; the endpoint rejects the request as written, so resubmitting fails the same way: change what the message names \(the record, the template, --max-tokens or --model\) and prepare a new batch$/,
    );
    expect(collected.code).toBe(4);

    const stranger = join(root, 'stranger.jsonl');
    await writeFile(
      stranger,
      jsonl([{ id: 'x', custom_id: 'not-ours', response: { status_code: 200, body: { choices: [] } }, error: null }]),
    );
    const refused = await collect(dir, ['--from', stranger]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `promptlab: --from ${stranger}: none of its 1 custom_id(s) were prepared in this batch directory\n`,
    );
  });
});

describe('batch: request files', () => {
  it('split when over the per-file request limit, and each file becomes its own batch', async () => {
    const records = Array.from({ length: 5 }, (_, index) => ({
      id: `r${index}`,
      input: `What is ${index} plus 1?`,
      expected: index + 1,
    }));
    const { data, dir } = await workspace(records);
    const server = await batchServer({ reply: arithmeticReply, progress: 'immediate' });
    const prepared = await prepare([
      'zero-shot',
      '-d',
      data,
      '-m',
      'test-model',
      '--answer',
      'number',
      '--max-requests-per-file',
      '2',
      '-o',
      dir,
    ]);
    expect(
      (prepared.files as Array<{ name: string; requests: number }>).map((file) => [file.name, file.requests]),
    ).toEqual([
      ['requests-001.jsonl', 2],
      ['requests-002.jsonl', 2],
      ['requests-003.jsonl', 1],
    ]);
    expect((await readdir(dir)).filter((name) => name.startsWith('requests-')).sort()).toEqual([
      'requests-001.jsonl',
      'requests-002.jsonl',
      'requests-003.jsonl',
    ]);
    const submitted = await submit(dir, server);
    expect(submitted.submitted).toHaveLength(3);
    const results = parseLines((await collect(dir)).stdout);
    expect(results.map((result) => result.answer)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('split by bytes too', async () => {
    const { data, dir } = await workspace();
    const prepared = await prepare(['zero-shot', '-d', data, '-m', 'test-model', '--max-file-bytes', '300', '-o', dir]);
    const files = prepared.files as Array<{ requests: number; bytes: number }>;
    expect(files.map((file) => file.requests)).toEqual([1, 1, 1]);
    expect(files.every((file) => file.bytes <= 300)).toBe(true);
  });
});

describe('batch: settings come from the directory', () => {
  it('reads the project template from where prepare ran, and refuses a template edited between phases', async () => {
    const { root, dir } = await workspace();
    await mkdir(join(root, 'prompts'));
    await writeFile(
      join(root, 'prompts', 'terse.prompt'),
      '---\ndescription: terse\n---\nAnswer with a number only. {{input}}\n',
    );
    const server = await batchServer({ reply: arithmeticReply, progress: 'immediate' });
    const prepared = await runCli(
      [
        'batch',
        'prepare',
        'cot',
        '--extract',
        'two-stage',
        '-t',
        'terse',
        '-d',
        'data.jsonl',
        '-m',
        'test-model',
        '--answer',
        'number',
        '-o',
        'run',
      ],
      { cwd: root },
    );
    expect(prepared.code).toBe(0);
    expect(lastUserOf(parseLines(await readFile(join(dir, 'requests-001.jsonl'), 'utf8'))[0]!)).toBe(
      "Answer with a number only. What is 1 plus 1?\n\nLet's think step by step.",
    );
    await submit(dir, server);
    // From another directory: the template and dataset still resolve where prepare ran.
    const first = await runCli(['batch', 'collect', dir]);
    expect(first.stderr).toContain('3 of 3 records need phase 2');
    await writeFile(join(root, 'prompts', 'terse.prompt'), '---\ndescription: terse\n---\nAnswer tersely. {{input}}\n');
    const edited = await runCli(['batch', 'prepare', dir]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toBe(
      `promptlab: template terse (${join(root, 'prompts', 'terse.prompt')}): changed since "batch prepare" (its requests no longer match); prepare a new batch directory\n`,
    );
  });

  it('collect --json prints the promptlab.run/v1 document, summary included', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply, progress: 'immediate' });
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '--answer', 'number', '-o', dir]);
    await submit(dir, server);
    const collected = await runCli(['batch', 'collect', dir, '--json']);
    expect(collected.code).toBe(0);
    const document = JSON.parse(collected.stdout) as {
      schema: string;
      strategy: string;
      model: string;
      template: string;
      summary: { n: number; correct: number };
      results: object[];
    };
    expect([
      document.schema,
      document.strategy,
      document.model,
      document.template,
      document.summary.n,
      document.summary.correct,
      document.results.length,
    ]).toEqual(['promptlab.run/v1', 'zero-shot', 'test-model', 'question', 3, 2, 3]);
  });
});

describe('batch: flags prepare does not use', () => {
  it('are named in one warning, for a new batch and for a batch directory, and -q silences it', async () => {
    const { data, dir } = await workspace();
    const created = await runCli([
      'batch',
      'prepare',
      'zero-shot',
      '-d',
      data,
      '-m',
      'test-model',
      '-o',
      dir,
      '-c',
      '4',
      '--no-cache',
      '--jsonl',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe(
      'warning: batch prepare zero-shot: --jsonl, --concurrency, --no-cache only apply to an interactive run; ignoring them\n',
    );
    expect(JSON.parse(created.stdout)).toMatchObject({ phase: 1, requests: 3 });

    const again = await runCli(['batch', 'prepare', dir, '--retries', '1', '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`warning: batch prepare ${dir}: settings come from its batch.json; ignoring --retries\n`);

    const quiet = await runCli([
      'batch',
      'prepare',
      'zero-shot',
      '-d',
      data,
      '-m',
      'test-model',
      '-o',
      join(dir, 'quiet'),
      '--timeout',
      '5',
      '-q',
      '--json',
    ]);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('batch: usage errors', () => {
  it('name the flag, file or directory at fault, in one line, exit 2', async () => {
    const { data, dir, root } = await workspace();
    const cases: Array<[string[], string]> = [
      [
        ['batch', 'prepare', 'zero-shot', '-d', data, '-m', 'test-model'],
        'promptlab: batch prepare zero-shot: -o DIR names the batch directory to create\n',
      ],
      [
        ['batch', 'prepare', 'zero-shot', '-m', 'test-model', '-o', dir],
        'promptlab: batch prepare needs -d/--dataset FILE (the records to prepare requests for)\n',
      ],
      [
        ['batch', 'prepare', 'nonsense', '-d', data],
        expect.stringMatching(
          /^promptlab: batch prepare: "nonsense" is neither a strategy \(zero-shot, .*\) nor a batch directory \(no batch\.json\)\n$/,
        ) as unknown as string,
      ],
      [
        ['batch', 'status', root],
        `promptlab: ${root}: not a batch directory (no batch.json); create one with "promptlab batch prepare <strategy> -d FILE -o ${root}"\n`,
      ],
      [
        ['batch', 'prepare', 'zero-shot', '-d', data, '-m', 'test-model', '--max-requests-per-file', '0', '-o', dir],
        'promptlab: --max-requests-per-file must be a positive integer, got "0"\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli(args);
      expect({ args, stderr: result.stderr, code: result.code }).toEqual({ args, stderr, code: 2 });
    }
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '-o', dir]);
    const twice = await runCli(['batch', 'prepare', 'zero-shot', '-d', data, '-m', 'test-model', '-o', dir]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already holds a batch');

    await writeFile(data, jsonl([...dataset, { id: 'd', input: 'What is 3 plus 3?' }]));
    const changed = await collect(dir);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toBe(
      `promptlab: --dataset ${data}: changed since "batch prepare" (its requests no longer match); prepare a new batch directory\n`,
    );
  });

  it('never prints the API key, and a refused key is an endpoint failure (exit 3)', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply, apiKey: 'sk-right-key-123456' });
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '-o', dir]);
    const refused = await runCli(['batch', 'submit', dir, '--base-url', server.url], {
      env: { OPENAI_API_KEY: 'sk-wrong-key-987654' },
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^promptlab: http:\/\/127\.0\.0\.1:\d+\/v1 refused the API key \(401\) while uploading requests-001\.jsonl: check --api-key/,
    );
    expect(refused.stderr + refused.stdout).not.toContain('sk-wrong-key-987654');
    const accepted = await runCli(['batch', 'submit', dir, '--base-url', server.url], {
      env: { OPENAI_API_KEY: 'sk-right-key-123456' },
    });
    expect(accepted.code).toBe(0);
    expect(await readFile(join(dir, 'batch.json'), 'utf8')).not.toContain('sk-right-key-123456');
  });
});

describe('batch: cancel', () => {
  it('cancels running batches; their unanswered lines become failures that resubmit sends again', async () => {
    const { data, dir } = await workspace();
    const server = await batchServer({ reply: arithmeticReply });
    await prepare(['zero-shot', '-d', data, '-m', 'test-model', '--answer', 'number', '-o', dir]);
    await submit(dir, server);
    const cancelled = await runCli(['batch', 'cancel', dir]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout).cancelled).toEqual([
      expect.objectContaining({ file: 'requests-001.jsonl', status: 'cancelling' }),
    ]);
    expect(server.counts.cancels).toBe(1);

    const collected = await collect(dir);
    expect(collected.code).toBe(3);
    expect(parseLines(collected.stdout).every((result) => String(result.error).includes('cancelled'))).toBe(true);
    expect(parseLines(await readFile(join(dir, 'failures.jsonl'), 'utf8'))).toHaveLength(3);

    const resubmitted = await runCli(['batch', 'resubmit', dir, '--no-submit']);
    expect(resubmitted.code).toBe(0);
    expect(JSON.parse(resubmitted.stdout)).toMatchObject({
      requests: 3,
      files: [{ name: 'requests-002.jsonl', requests: 3 }],
    });
    expect(server.batches.size).toBe(1);
  });
});
