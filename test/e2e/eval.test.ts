/**
 * `promptlab eval` end to end: an eval file with two variants of one strategy (each with settings of its
 * own), gates per cell, several outputs at once, flags over the file, strict keys with file:line and a
 * suggestion, --init, the file found upward, and --dry-run.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply, lastUser, perModel, slipsOnPlusReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const serve = useTestServers({ reply: perModel({ careful: arithmeticReply, sloppy: slipsOnPlusReply }) });

const questions = [
  ...Array.from({ length: 5 }, (_, index) => ({
    id: `plus-${index}`,
    input: `What is ${index} plus 4?`,
    expected: String(index + 4),
  })),
  ...Array.from({ length: 5 }, (_, index) => ({
    id: `times-${index}`,
    input: `What is ${index} times 2?`,
    expected: String(index * 2),
  })),
];

/** A project folder: the dataset, a template of its own, and the eval file (`body` after the dataset lines). */
async function project(body: string, name = 'promptlab.eval.yaml'): Promise<string> {
  const directory = await makeTempDir('promptlab-eval-');
  await mkdir(join(directory, 'data'));
  await mkdir(join(directory, 'prompts'));
  await writeFile(join(directory, 'data', 'math.jsonl'), jsonl(questions));
  await writeFile(
    join(directory, 'prompts', 'terse.prompt'),
    '---\ndescription: the question alone\n---\n{{role "system"}}\nBe terse.\n{{role "user"}}\n{{input}}\n',
  );
  await writeFile(join(directory, name), body);
  return directory;
}

/** sloppy × (zero-shot, cot-quick, cot-steps): the quick trigger skips the reasoning sloppy needs. */
const variantsFile = (extra = '', models = '[sloppy]') => `dataset:
  file: data/math.jsonl
  answer: number
  match: numeric
models: ${models}
strategies:
  - zero-shot
  - strategy: cot
    name: cot-quick
    trigger: Answer at once.
    temperature: 0.3
  - strategy: cot
    name: cot-steps
    template: terse
    system: Show your work.
concurrency: 4
${extra}`;

const endpointFlags = (server: TestServer) => ['--base-url', server.url];

interface Summary {
  model: string;
  strategy: string;
  variant: string | null;
  correct: number;
  vsBaseline?: { strategy: string; variant: string | null; better: number; worse: number };
}

describe('promptlab eval', () => {
  it('runs two variants of one strategy, each with its own trigger, template, system and temperature', async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs: [json]\n'));
    const result = await runCli(['eval', ...endpointFlags(server)], { cwd: directory });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.strategies.map((summary: Summary) => [summary.strategy, summary.variant, summary.correct])).toEqual([
      ['zero-shot', null, 5],
      ['cot', 'cot-quick', 5],
      ['cot', 'cot-steps', 10],
    ]);
    expect(report.strategies[2].vsBaseline).toMatchObject({
      strategy: 'zero-shot',
      variant: null,
      better: 5,
      worse: 0,
    });
    expect(report.results[2]).toMatchObject({
      strategy: 'cot',
      variant: 'cot-steps',
      template: 'terse',
      model: 'sloppy',
    });
    const quick = server.calls.filter((call) => lastUser(call).endsWith('Answer at once.'));
    expect(quick).toHaveLength(10);
    expect(quick.every((call) => call.temperature === 0.3)).toBe(true);
    const steps = server.calls.filter((call) => call.messages[0]?.content === 'Show your work.');
    expect(steps).toHaveLength(10);
    expect(steps.every((call) => call.temperature === 0 && /step by step/.test(lastUser(call)))).toBe(true);
  });

  it('gates per cell from the file, and a --fail-under flag beats the file', async () => {
    const server = await serve();
    const directory = await project(
      variantsFile('outputs: [json]\ngates:\n  failUnder: { cot-steps: 0.9, cot-quick: 0.8 }\n'),
    );
    const gated = await runCli(['eval', ...endpointFlags(server)], { cwd: directory });
    expect(gated.code).toBe(4);
    expect(gated.stderr).toBe('promptlab: gate failed: --fail-under 0.80: cot-quick accuracy 0.500 is 0.300 below\n');
    const overridden = await runCli(['eval', ...endpointFlags(server), '--fail-under', 'cot-steps=1'], {
      cwd: directory,
    });
    expect(overridden.code).toBe(0);
    const unknown = await runCli(['eval', ...endpointFlags(server)], {
      cwd: await project(variantsFile('gates:\n  failUnder: { cot-step: 0.9 }\n')),
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^promptlab: promptlab\.eval\.yaml: gates\.failUnder: "cot-step" names no cell of this run \(names: zero-shot, cot, cot-quick, cot-steps\)\n$/,
    );
  });

  it('writes every output the file lists at once: a table on stdout, JSON, JSON Lines, Markdown, JUnit and HTML files', async () => {
    const server = await serve();
    const outputs = [
      'outputs:',
      '  - table',
      '  - path: out/eval.json',
      '  - path: out/eval.jsonl',
      '  - path: out/eval.md',
      '  - path: out/junit.xml',
      '  - { format: html, path: out/report.html }',
      '',
    ].join('\n');
    const directory = await project(variantsFile(outputs));
    await mkdir(join(directory, 'out'));
    const result = await runCli(['eval', ...endpointFlags(server)], { cwd: directory });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^strategy +variant +n +correct/m);
    expect(result.stdout).toMatch(/^cot +cot-steps +10 +10 /m);
    const out = (name: string) => readFile(join(directory, 'out', name), 'utf8');
    expect(JSON.parse(await out('eval.json')).strategies).toHaveLength(3);
    const lines = (await out('eval.jsonl')).trim().split('\n');
    expect(lines).toHaveLength(30 + 3);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ schema: 'promptlab.summary/v1', variant: 'cot-steps' });
    expect(await out('eval.md')).toContain('| cot | cot-quick | 10 | 5 |');
    expect(await out('junit.xml')).toMatch(/<testsuite name="promptlab.cot-quick" tests="10" failures="5"/);
    const html = await out('report.html');
    expect(html).toContain('cot-quick');
    expect(html).toContain('cot-steps');
  });

  it('refuses an output that names a file a strategy entry reads, and leaves that file as it was', async () => {
    const server = await serve();
    const examples = `${jsonl([{ input: 'What is 1 plus 1?', output: '2' }])}`;
    const directory = await project(`dataset:
  file: data/math.jsonl
  answer: number
models: [sloppy]
strategies:
  - strategy: few-shot
    examples: data/examples.jsonl
    shots: 1
outputs:
  - path: data/examples.jsonl
`);
    await writeFile(join(directory, 'data', 'examples.jsonl'), examples);
    const result = await runCli(['eval', ...endpointFlags(server)], { cwd: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/data\/examples\.jsonl: is the --examples file .*write them to another file/);
    expect(await readFile(join(directory, 'data', 'examples.jsonl'), 'utf8')).toBe(examples);
    expect(server.counts.chat).toBe(0);
  });

  it('writes a table to a file without colour codes, while stdout keeps its colours', async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs:\n  - table\n  - { format: table, path: table.txt }\n'));
    const result = await runCli(['eval', ...endpointFlags(server)], {
      cwd: directory,
      env: { FORCE_COLOR: '1', NO_COLOR: undefined },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\u001b[');
    const file = await readFile(join(directory, 'table.txt'), 'utf8');
    expect(file).toMatch(/^strategy +variant +n +correct/);
    expect(file).not.toContain('\u001b[');
  });

  it('takes the command line over the file: models, strategies by variant name, outputs, dataset settings', async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs: [table]\n'));
    const result = await runCli(
      ['eval', ...endpointFlags(server), '--models', 'careful', '--strategies', 'cot-quick,zero-shot', '--json'],
      { cwd: directory },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.strategies.map((summary: Summary) => [summary.model, summary.variant ?? summary.strategy])).toEqual([
      ['careful', 'cot-quick'],
      ['careful', 'zero-shot'],
    ]);
    expect(report).toMatchObject({ baselineStrategy: 'cot', baselineVariant: 'cot-quick' });
    expect(server.calls.every((call) => call.model === 'careful')).toBe(true);
  });

  it('a resumed eval writes documents holding the results kept from the file as well as its own', async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs:\n  - path: eval.json\n  - path: junit.xml\n'));
    const resumed = join(directory, 'results.jsonl');
    const run = (extra: string[]) =>
      runCli(['eval', ...endpointFlags(server), '--resume', resumed, ...extra], { cwd: directory });
    expect((await run(['--strategies', 'zero-shot'])).code).toBe(0);
    expect(server.counts.chat).toBe(10);
    expect((await run([])).code).toBe(0);
    expect(server.counts.chat).toBe(30);
    const report = JSON.parse(await readFile(join(directory, 'eval.json'), 'utf8'));
    const counted = report.strategies.reduce((sum: number, summary: { n: number }) => sum + summary.n, 0);
    expect([report.results.length, counted]).toEqual([30, 30]);
    expect(new Set(report.results.map((result: Summary) => result.variant ?? result.strategy))).toEqual(
      new Set(['zero-shot', 'cot-quick', 'cot-steps']),
    );
    expect(await readFile(join(directory, 'junit.xml'), 'utf8')).toMatch(
      /<testsuite name="promptlab.zero-shot" tests="10"/,
    );
  });

  it("--resume streams results to its file and still writes the file's other outputs; a rerun calls nothing", async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs:\n  - path: eval.json\n'));
    const resumed = join(directory, 'results.jsonl');
    const first = await runCli(['eval', ...endpointFlags(server), '--resume', resumed], { cwd: directory });
    expect(first.code).toBe(0);
    const calls = server.counts.chat;
    expect(calls).toBe(30);
    const again = await runCli(['eval', ...endpointFlags(server), '--resume', resumed], { cwd: directory });
    expect(again.code).toBe(0);
    expect(server.counts.chat).toBe(calls);
    const lines = (await readFile(resumed, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(30 + 3);
    const report = JSON.parse(await readFile(join(directory, 'eval.json'), 'utf8'));
    expect(report.strategies.map((summary: Summary) => [summary.variant ?? summary.strategy, summary.correct])).toEqual(
      [
        ['zero-shot', 5],
        ['cot-quick', 5],
        ['cot-steps', 10],
      ],
    );
  });

  it('reads the keys of the README example: system, {endpoint, model}, the baseline cell, gates, maxTokens, seed, retries, cache', async () => {
    // sloppy's "What is 0 times 2?" fails with a 500: with retries: 0 it is asked once and is one error per cell.
    const server = await serve({
      respond: (call) =>
        call.model === 'sloppy' && lastUser(call).includes('What is 0 times 2?')
          ? { status: 500, body: '{"error":{"message":"boom"}}' }
          : null,
    });
    const lab = await serve();
    const directory = await project(`dataset:
  file: data/math.jsonl
  answer: number
  extractMode: strict
system: Reply with the number.
models:
  - { endpoint: lab, model: careful }
  - sloppy
strategies: [zero-shot, cot]
baselineStrategy: cot
baselineModel: sloppy
gates:
  alpha: 0.01
  maxErrors: 1
outputs: [json]
maxTokens: 64
seed: 7
retries: 0
cache: responses
`);
    await writeFile(join(directory, 'promptlab.config.yaml'), `endpoints:\n  lab: { baseUrl: ${lab.url} }\n`);
    const result = await runCli(['eval', ...endpointFlags(server)], { cwd: directory });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ baselineStrategy: 'cot', baselineModel: 'sloppy', alpha: 0.01 });
    // extractMode strict: a bare number states no answer, so zero-shot scores nothing; cot says "The answer is N."
    expect(
      report.strategies.map((summary: Summary & { errors: number }) => [
        summary.model,
        summary.strategy,
        summary.correct,
        summary.errors,
      ]),
    ).toEqual([
      ['lab:careful', 'zero-shot', 0, 0],
      ['lab:careful', 'cot', 10, 0],
      ['sloppy', 'zero-shot', 0, 1],
      ['sloppy', 'cot', 9, 1],
    ]);
    expect(lab.calls.map((call) => call.model)).toEqual(Array(20).fill('careful'));
    expect(server.calls.map((call) => call.model)).toEqual(Array(20).fill('sloppy'));
    const calls = [...lab.calls, ...server.calls];
    expect(calls.every((call) => call.messages[0]?.content === 'Reply with the number.')).toBe(true);
    expect(calls.every((call) => call.maxTokens === 64 && call.seed === 7)).toBe(true);
    expect((await readdir(join(directory, 'responses'))).length).toBeGreaterThan(0);

    // The flags beat the file; the cache answers everything but the two errors, asked again.
    const flagged = await runCli(
      [
        'eval',
        ...endpointFlags(server),
        ...['--baseline-strategy', 'zero-shot', '--baseline-model', 'lab:careful', '--alpha', '0.2'],
        ...['--max-errors', '0'],
      ],
      { cwd: directory },
    );
    expect(flagged.code).toBe(4);
    expect(flagged.stderr).toMatch(/gate failed: --max-errors/);
    expect(JSON.parse(flagged.stdout)).toMatchObject({
      baselineStrategy: 'zero-shot',
      baselineModel: 'lab:careful',
      alpha: 0.2,
    });
    expect(lab.counts.chat + server.counts.chat).toBe(40 + 2);
  });

  it('finds promptlab.eval.yaml upward from a subfolder, and runs a file given by path', async () => {
    const server = await serve();
    const directory = await project(variantsFile('outputs: [json]\n'));
    await mkdir(join(directory, 'deep', 'er'), { recursive: true });
    const upward = await runCli(['eval', ...endpointFlags(server)], { cwd: join(directory, 'deep', 'er') });
    expect(upward.code).toBe(0);
    expect(JSON.parse(upward.stdout).strategies).toHaveLength(3);
    const named = await project(variantsFile('outputs: [json]\n'), 'nightly.yaml');
    const byPath = await runCli([
      'eval',
      join(named, 'nightly.yaml'),
      ...endpointFlags(server),
      '--strategies',
      'zero-shot',
    ]);
    expect(byPath.code).toBe(0);
    expect(JSON.parse(byPath.stdout).strategies).toHaveLength(1);
    const nowhere = await makeTempDir('promptlab-eval-none-');
    const missing = await runCli(['eval'], { cwd: nowhere });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^promptlab: no promptlab\.eval\.yaml in .* or above: pass its path .*promptlab eval --init\n$/,
    );
  });

  it.each([
    [
      'dataset:\n  file: data/math.jsonl\nstrategies: [zero-shot]\nconcurency: 4\n',
      'promptlab.eval.yaml:4: unknown key "concurency" (did you mean "concurrency"?)',
    ],
    [
      'dataset:\n  file: data/math.jsonl\n  anser: number\nstrategies: [zero-shot]\n',
      'promptlab.eval.yaml:3: dataset: unknown key "anser" (did you mean "answer"?)',
    ],
    [
      'dataset: { file: data/math.jsonl }\nstrategies:\n  - strategy: self-consistency\n    sampels: 10\n',
      'promptlab.eval.yaml:4: strategies[0].sampels: unknown key "sampels" (did you mean "samples"?)',
    ],
    [
      'dataset: { file: data/math.jsonl }\nstrategies:\n  - strategy: cot\n    samples: 10\n',
      'promptlab.eval.yaml:4: strategies[0].samples: unknown key "samples": an option of self-consistency, not of cot',
    ],
    [
      'dataset: { file: data/math.jsonl }\nstrategies:\n  - strategy: self-consistency\n    samples: many\n',
      'promptlab.eval.yaml:4: strategies[0].samples: must be a positive integer, got "many"',
    ],
    [
      'dataset: { file: data/math.jsonl }\nstrategies:\n  - zero-shoot\n',
      'promptlab.eval.yaml:3: strategies[0]: unknown strategy "zero-shoot" (did you mean "zero-shot"? known: zero-shot, few-shot, in-context, cot, self-consistency)',
    ],
    [
      'dataset: { file: data/math.jsonl }\nstrategies: [cot, cot]\n',
      'promptlab.eval.yaml: strategies[1]: a second cot entry needs a name of its own (name: ...), as strategies[0] is cot',
    ],
    ['strategies: [cot]\n', 'promptlab.eval.yaml:1: dataset: is required'],
    [
      'dataset: { file: data/math.jsonl }\nstrategies: [cot\n',
      /^promptlab: promptlab\.eval\.yaml:3:\d+: invalid YAML: /,
    ],
  ])('refuses a mistake in the file, naming file:line and key: %j', async (body, message) => {
    const result = await runCli(['eval'], { cwd: await project(body) });
    expect(result.code).toBe(2);
    if (typeof message === 'string') expect(result.stderr).toBe(`promptlab: ${message}\n`);
    else expect(result.stderr).toMatch(message);
  });

  it('--init writes a commented starting file that eval reads, and never writes over one', async () => {
    const server = await serve();
    const directory = await project('placeholder: true\n', 'other.yaml');
    const first = await runCli(['eval', '--init'], { cwd: directory });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^wrote promptlab\.eval\.yaml/);
    const written = await readFile(join(directory, 'promptlab.eval.yaml'), 'utf8');
    expect(written).toMatch(/^# An evaluation in one file/);
    const again = await runCli(['eval', '--init'], { cwd: directory });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('promptlab: eval --init: promptlab.eval.yaml already exists; it was left as it is\n');
    expect(await readFile(join(directory, 'promptlab.eval.yaml'), 'utf8')).toBe(written);
    // The starting file runs once its dataset exists (here: the dry run, which calls nothing).
    await mkdir(join(directory, 'data'), { recursive: true });
    await writeFile(join(directory, 'data', 'evals.jsonl'), '{"input": "What is 1 plus 1?", "expected": "2"}\n');
    const dry = await runCli(['eval', '--dry-run', '--json', '-m', 'test-model', ...endpointFlags(server)], {
      cwd: directory,
    });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).matrix).toMatchObject({ records: 1, strategies: ['zero-shot', 'cot', 'cot-plan'] });
    expect(server.counts.total).toBe(0);
    expect((await stat(join(directory, 'promptlab.eval.yaml'))).isFile()).toBe(true);
  });

  it('--dry-run prints the matrix of the file and its estimate, and calls nothing', async () => {
    const server = await serve();
    const directory = await project(variantsFile('', '[careful, sloppy]'));
    const result = await runCli(['eval', ...endpointFlags(server), '--dry-run', '--json'], { cwd: directory });
    expect(result.code).toBe(0);
    expect(server.counts.total).toBe(0);
    const dry = JSON.parse(result.stdout);
    expect(dry.matrix).toEqual({
      records: 10,
      models: ['careful', 'sloppy'],
      strategies: ['zero-shot', 'cot-quick', 'cot-steps'],
      cells: 6,
    });
    expect(dry.estimate.requests).toBe(60);
  });
});
