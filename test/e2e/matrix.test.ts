/**
 * compare as a matrix, end to end against the loopback server: two models that answer differently,
 * strategies × models as cells, the baseline cell, gates per cell, every format, ENDPOINT:MODEL across
 * two servers, --resume and --baseline with the new keys, and --dry-run (the server sees nothing).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply, perModel, plusAndTimesQuestions, slipsOnPlusReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
/** `careful` gets everything right; `sloppy` answers every plus question one too high unless it reasons. */
const serve = useTestServers({ reply: perModel({ careful: arithmeticReply, sloppy: slipsOnPlusReply }) });

let directory = '';
let dataset = '';

beforeAll(async () => {
  directory = await makeTempDir('promptlab-matrix-');
  dataset = join(directory, 'data.jsonl');
  // 6 plus questions (sloppy's zero-shot gets them wrong) and 6 times questions.
  await writeFile(dataset, jsonl(plusAndTimesQuestions(6)));
});

const compareArgs = (server: TestServer, extra: string[]) => [
  'compare',
  '-d',
  dataset,
  '--strategies',
  'zero-shot,cot',
  '--answer',
  'number',
  '--base-url',
  server.url,
  ...extra,
];

interface Summary {
  model: string;
  strategy: string;
  variant: string | null;
  n: number;
  correct: number;
  vsBaseline?: { model: string; strategy: string; variant: string | null; better: number; worse: number };
}

const cellsOf = (report: { strategies: Summary[] }) =>
  report.strategies.map((summary) => [summary.model, summary.strategy, summary.variant, summary.correct]);

describe('compare --models', () => {
  it('runs every record × strategy × model as a cell and pairs each with the baseline cell', async () => {
    const server = await serve();
    const result = await runCli(compareArgs(server, ['--models', 'careful,sloppy', '--format', 'json']));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ baselineModel: 'careful', baselineStrategy: 'zero-shot', baselineVariant: null });
    expect(cellsOf(report)).toEqual([
      ['careful', 'zero-shot', null, 12],
      ['careful', 'cot', null, 12],
      ['sloppy', 'zero-shot', null, 6],
      ['sloppy', 'cot', null, 12],
    ]);
    const sloppyZeroShot = report.strategies[2] as Summary;
    expect(sloppyZeroShot.vsBaseline).toMatchObject({
      model: 'careful',
      strategy: 'zero-shot',
      variant: null,
      better: 0,
      worse: 6,
    });
    expect(report.strategies[0].vsBaseline).toBeUndefined();
    // Each model was asked by its own name, once per record and strategy.
    const asked = server.calls.map((call) => call.model);
    expect(asked.filter((model) => model === 'careful')).toHaveLength(24);
    expect(asked.filter((model) => model === 'sloppy')).toHaveLength(24);
    expect(report.results).toHaveLength(48);
    expect(report.results[0]).toMatchObject({ id: 'plus-0', model: 'careful', strategy: 'zero-shot', variant: null });
    expect(report.results[2]).toMatchObject({ id: 'plus-0', model: 'sloppy', strategy: 'zero-shot', correct: false });
  });

  it('pairs with the cell --baseline-model and --baseline-strategy name', async () => {
    const server = await serve();
    const result = await runCli(
      compareArgs(server, [
        '--models',
        'careful,sloppy',
        '--baseline-model',
        'sloppy',
        '--baseline-strategy',
        'cot',
        '--format',
        'json',
      ]),
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ baselineModel: 'sloppy', baselineStrategy: 'cot' });
    expect(report.strategies[3].vsBaseline).toBeUndefined();
    expect(report.strategies[2].vsBaseline).toMatchObject({ model: 'sloppy', strategy: 'cot', better: 0, worse: 6 });
  });

  it('gates per cell: model/strategy=X, a strategy across models, and names the cell that failed', async () => {
    const server = await serve();
    const gated = (failUnder: string) =>
      runCli(compareArgs(server, ['--models', 'careful,sloppy', '--format', 'json', '--fail-under', failUnder]));
    const perCell = await gated('careful/zero-shot=0.9,sloppy/cot=0.9');
    expect(perCell.code).toBe(0);
    const acrossModels = await gated('zero-shot=0.9');
    expect(acrossModels.code).toBe(4);
    expect(acrossModels.stderr).toMatch(
      /^promptlab: gate failed: --fail-under 0\.90: sloppy\/zero-shot accuracy 0\.500 is 0\.400 below$/m,
    );
    expect(acrossModels.stderr).not.toMatch(/careful\/zero-shot/);
    const oneModel = await gated('sloppy/zero-shot=0.4');
    expect(oneModel.code).toBe(0);
    const unknown = await gated('slopy/cot=0.9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'promptlab: --fail-under: "slopy/cot" names no cell of this run (names: zero-shot, cot; models: careful, sloppy)\n',
    );
  });

  it('shows the matrix in every format: table, Markdown, JUnit and JSON Lines', async () => {
    const server = await serve();
    const run = (format: string) => runCli(compareArgs(server, ['--models', 'careful,sloppy', '--format', format]));
    const table = await run('table');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^model +strategy +n +correct/m);
    expect(table.stdout).toMatch(
      /^sloppy +zero-shot +12 +6 .* -50\.0 pts \(0 better, 6 worse\), p = 0\.031, significant$/m,
    );
    expect(table.stdout).toContain('compares each row with careful/zero-shot');
    const markdown = await run('markdown');
    expect(markdown.stdout).toContain('### promptlab compare (baseline: careful/zero-shot)');
    expect(markdown.stdout).toMatch(/^\| sloppy \| cot \| 12 \| 12 \|/m);
    const junit = await run('junit');
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(48);
    expect(junit.stdout).toMatch(/<testsuite name="promptlab.sloppy\/zero-shot" tests="12" failures="6"/);
    expect(junit.stdout).toMatch(/<testsuite name="promptlab.careful\/cot" tests="12" failures="0"/);
    const jsonl = await run('jsonl');
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.schema === 'promptlab.result/v1')).toHaveLength(48);
    expect(lines.slice(-4).map((line) => [line.schema, line.model, line.strategy, line.correct])).toEqual([
      ['promptlab.summary/v1', 'careful', 'zero-shot', 12],
      ['promptlab.summary/v1', 'careful', 'cot', 12],
      ['promptlab.summary/v1', 'sloppy', 'zero-shot', 6],
      ['promptlab.summary/v1', 'sloppy', 'cot', 12],
    ]);
  });

  it('writes the HTML report of a two-model run, keyed by model', async () => {
    const server = await serve();
    const page = join(directory, 'two-models.html');
    const result = await runCli(compareArgs(server, ['--models', 'careful,sloppy', '-o', page]));
    expect(result.code).toBe(0);
    const html = await readFile(page, 'utf8');
    for (const label of ['careful · zero-shot', 'careful · cot', 'sloppy · zero-shot', 'sloppy · cot'])
      expect(html).toContain(label);
  });

  it('refuses -m with a list, -m twice, and -m beside --models', async () => {
    const server = await serve();
    const list = await runCli(compareArgs(server, ['-m', 'careful,sloppy']));
    expect(list.code).toBe(2);
    expect(list.stderr).toBe('promptlab: -m takes one model; compare several with --models careful,sloppy\n');
    const twice = await runCli(compareArgs(server, ['-m', 'careful', '-m', 'sloppy']));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe('promptlab: -m takes one model; compare several with --models careful,sloppy\n');
    const both = await runCli(compareArgs(server, ['-m', 'careful', '--models', 'careful,sloppy']));
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('promptlab: give --models a,b or -m MODEL, not both\n');
    expect(server.counts.total).toBe(0);
  });

  it('resumes a two-model run from a one-model file: only the missing cells run, the summary covers all', async () => {
    const server = await serve();
    const file = join(directory, 'resumed.jsonl');
    const first = await runCli(compareArgs(server, ['--models', 'careful', '-o', file, '--jsonl']));
    expect(first.code).toBe(0);
    const before = server.counts.chat;
    const resumed = await runCli(compareArgs(server, ['--models', 'careful,sloppy', '--resume', file]));
    expect(resumed.code).toBe(0);
    expect(server.counts.chat - before).toBe(24);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const results = lines.filter((line) => line.schema === 'promptlab.result/v1');
    expect(results).toHaveLength(48);
    expect(lines.filter((line) => line.schema === 'promptlab.summary/v1').map((line) => [line.model, line.n])).toEqual([
      ['careful', 12],
      ['careful', 12],
      ['sloppy', 12],
      ['sloppy', 12],
    ]);
  });

  it('gates against a --baseline report per model: a model that regressed fails, its own cell named', async () => {
    const before = await serve({ reply: perModel({ careful: arithmeticReply, sloppy: arithmeticReply }) });
    const previous = join(directory, 'previous.json');
    const saved = await runCli(compareArgs(before, ['--models', 'careful,sloppy', '--format', 'json', '-o', previous]));
    expect(saved.code).toBe(0);
    const now = await serve();
    const result = await runCli(
      compareArgs(now, ['--models', 'careful,sloppy', '--format', 'json', '--baseline', previous]),
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /gate failed: --baseline: sloppy\/zero-shot accuracy is 0\.500 below the baseline report on 12 shared records/,
    );
    expect(result.stderr).not.toMatch(/careful\//);
  });
});

describe('compare --models ENDPOINT:MODEL', () => {
  it('compares two servers serving one model name, each called with its own URL, key and cache entries', async () => {
    const left = await serve({ reply: arithmeticReply, apiKey: 'left-secret-key' });
    const right = await serve({ reply: slipsOnPlusReply });
    const project = await makeTempDir('promptlab-endpoints-');
    await writeFile(
      join(project, 'promptlab.config.yaml'),
      [
        'endpoints:',
        `  left: { baseUrl: ${left.url}, apiKeyEnv: LEFT_API_KEY }`,
        `  right: { baseUrl: ${right.url}, model: llama }`,
        '',
      ].join('\n'),
    );
    const cache = join(project, 'cache');
    const args = [
      'compare',
      '-d',
      dataset,
      '--strategies',
      'zero-shot',
      '--answer',
      'number',
      '--models',
      'left:llama,right:',
      '--cache',
      cache,
      '--format',
      'json',
    ];
    const result = await runCli(args, { cwd: project, env: { LEFT_API_KEY: 'left-secret-key' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(cellsOf(report)).toEqual([
      ['left:llama', 'zero-shot', null, 12],
      ['right:llama', 'zero-shot', null, 6],
    ]);
    expect(left.calls.map((call) => call.model)).toEqual(Array(12).fill('llama'));
    expect(right.calls.map((call) => call.model)).toEqual(Array(12).fill('llama'));
    expect(right.calls.every((call) => call.headers.authorization !== 'Bearer left-secret-key')).toBe(true);
    // Replayed from the cache: each endpoint's answers, not the other's.
    const replayed = await runCli([...args, '--replay'], { cwd: project, env: { LEFT_API_KEY: 'left-secret-key' } });
    expect(replayed.code).toBe(0);
    expect(cellsOf(JSON.parse(replayed.stdout))).toEqual(cellsOf(report));
    expect(left.counts.chat + right.counts.chat).toBe(24);
  });

  it('keeps a colon model name whole when no endpoint has that name', async () => {
    const server = await serve({ reply: perModel({ 'llama3.1:8b': arithmeticReply }) });
    const result = await runCli(compareArgs(server, ['--models', 'llama3.1:8b', '--format', 'json']));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).strategies[0].model).toBe('llama3.1:8b');
  });
});

describe('compare --dry-run', () => {
  // Issue 12, item 2: a dry run sent every request and printed a normal report.
  it('sends nothing with one model and the flags a compare always had', async () => {
    const server = await serve({ reply: arithmeticReply });
    const result = await runCli(compareArgs(server, ['-m', 'test-model', '--dry-run', '--json']));
    expect(result.code).toBe(0);
    expect(server.counts.total).toBe(0);
    expect(JSON.parse(result.stdout).estimate).toMatchObject({ requests: 24, promptTokens: expect.any(Number) });
  });

  it('calls nothing and prints the matrix with its estimate', async () => {
    const server = await serve();
    const result = await runCli(
      compareArgs(server, ['--models', 'careful,sloppy', '--dry-run', '--json']).map((arg) =>
        arg === 'zero-shot,cot' ? 'zero-shot,cot,self-consistency' : arg,
      ),
    );
    expect(result.code).toBe(0);
    expect(server.counts.total).toBe(0);
    const dry = JSON.parse(result.stdout);
    expect(dry.dryRun).toBe(true);
    expect(dry.matrix).toEqual({
      records: 12,
      models: ['careful', 'sloppy'],
      strategies: ['zero-shot', 'cot', 'self-consistency'],
      cells: 6,
    });
    // Per model and record: zero-shot 1, cot 1, self-consistency 5 samples.
    expect(dry.estimate.requests).toBe(2 * 12 * (1 + 1 + 5));
    expect(dry.cells.map((cell: { requests: number }) => cell.requests)).toEqual([12, 12, 60, 12, 12, 60]);
    // Prompt tokens: characters / 4 of each request's messages, times the requests that send them.
    const tokens = (messages: Array<{ content: string }>) =>
      Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4);
    const expected = dry.requests.reduce(
      (sum: number, request: { strategy: string; messages: Array<{ content: string }> }) =>
        sum + tokens(request.messages) * (request.strategy === 'self-consistency' ? 5 : 1),
      0,
    );
    expect(dry.estimate.promptTokens).toBe(expected);
    expect(dry.requests).toHaveLength(72);
    expect(dry.requests[0]).toMatchObject({ id: 'plus-0', model: 'careful', strategy: 'zero-shot', variant: null });
    expect(dry.estimate.basis).toMatch(/^an estimate: prompt tokens ≈ characters \/ 4/);
  });

  it('counts a two-stage extraction call as a request, and needs no model', async () => {
    const server = await serve();
    const result = await runCli([
      'compare',
      '-d',
      dataset,
      '--strategies',
      'cot',
      '--extract',
      'two-stage',
      '--answer',
      'number',
      '--base-url',
      server.url,
      '--dry-run',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).estimate.requests).toBe(24);
    expect(server.counts.total).toBe(0);
  });

  it('prints the matrix size, a row per cell and what the estimate is on a terminal', async () => {
    const server = await serve();
    const result = await runCli(compareArgs(server, ['--models', 'careful,sloppy', '--dry-run', '--format', 'table']));
    expect(result.code).toBe(0);
    expect(server.counts.total).toBe(0);
    expect(result.stdout).toMatch(/^# plus-0 · careful\/zero-shot\n\[user\]\nWhat is 0 plus 2\?/);
    expect(result.stdout).toContain('# plus-0 · sloppy/cot\n');
    expect(result.stdout).not.toContain('# plus-1 ');
    expect(result.stdout).toContain('12 records × 4 cells (2 models × 2 strategies) = 48 record runs');
    expect(result.stdout).toMatch(/^careful\/zero-shot {2,}12 {2,}\d+$/m);
    expect(result.stdout).toMatch(/^total {2,}48 {2,}[\d,]+$/m);
    expect(result.stdout).toMatch(/Nothing was sent\. An estimate: prompt tokens ≈ characters \/ 4/);
  });
});
