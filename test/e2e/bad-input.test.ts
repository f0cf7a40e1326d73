/**
 * A catalogue of bad inputs, each run through the CLI's main in-process (two also through the built CLI as a
 * child process): exit 2, exactly one line on stderr that
 * starts with `promptlab: ` and names the culprit (file:line, flag or variable), no stack, nothing on stdout.
 * Files are created in a fresh working directory per row, so messages name them as a user typed them.
 * The endpoint is a dead port, so a row that got as far as a request would exit 3, not 2; the second block
 * proves with a live server that bad records late in a dataset stop the run before its first request.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/openai-test-server.js';
import { runCli, runCliProcess, type CliResult } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';

const deadUrl = 'http://127.0.0.1:9/v1';
const dead = ['--base-url', deadUrl, '-m', 'm'];
const jsonl = (...records: unknown[]) => records.map((record) => `${JSON.stringify(record)}\n`).join('');
const examples = jsonl({ input: 'What is 1 plus 1?', output: '2' }, { input: 'What is 2 plus 2?', output: '4' });
const tenMegabyteLine = `${JSON.stringify({ input: 'x'.repeat(10 * 1024 * 1024) })}\n`;

interface BadInput {
  name: string;
  args: string[];
  /** Created in the working directory before the run. */
  files?: Record<string, string | Buffer>;
  stdin?: string;
  env?: Record<string, string>;
  /** The stderr line after `promptlab: `: exact, or a pattern that names the culprit. */
  error: string | RegExp;
}

// prettier-ignore
const catalogue: BadInput[] = [
  // Datasets
  {
    name: 'malformed JSONL line',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': '{"input":"a"}\n{"input": oops}\n' },
    error: /^data\.jsonl:2: not valid JSON \(.+\)$/,
  },
  {
    name: 'record that is an array',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': '[1, 2]\n' },
    error: 'data.jsonl:1: a record must be a JSON object, got an array',
  },
  {
    name: 'record that is a string',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': '{"input":"a"}\n"just text"\n' },
    error: 'data.jsonl:2: a record must be a JSON object, got "just text"',
  },
  {
    name: 'empty dataset',
    args: ['zero-shot', '-d', 'empty.jsonl', ...dead],
    files: { 'empty.jsonl': '\n\n' },
    error: 'empty.jsonl: the dataset has no records',
  },
  {
    name: 'empty dataset on stdin',
    args: ['zero-shot', '-d', '-', ...dead],
    stdin: '',
    error: 'stdin: the dataset has no records',
  },
  {
    name: 'record missing template variables',
    args: ['zero-shot', '-t', 'pair', '-d', 'data.jsonl', ...dead],
    files: { 'prompts/pair.prompt': '{{a}} and {{b}}\n', 'data.jsonl': jsonl({ a: 1, b: 2 }, { c: 3 }) },
    error: 'template "pair" (prompts/pair.prompt): record data.jsonl:2 is missing variable(s): a, b',
  },
  {
    name: 'record missing the default template variable',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ question: 'q' }) },
    error: /^template "question" \(.*question\.prompt\): record data\.jsonl:1 is missing variable\(s\): input$/,
  },
  {
    name: 'non-UTF-8 file',
    args: ['zero-shot', '-d', 'latin1.jsonl', ...dead],
    files: { 'latin1.jsonl': Buffer.from('{"input":"ok"}\n{"input":"caf\xe9"}\n', 'latin1') },
    error: 'latin1.jsonl:2: not UTF-8 text (is this a binary file?)',
  },
  {
    name: 'binary file with NUL bytes',
    args: ['zero-shot', '-d', 'blob.jsonl', ...dead],
    files: { 'blob.jsonl': Buffer.from([0x7b, 0x00, 0x01, 0x02, 0x7d, 0x0a]) },
    error: 'blob.jsonl:1: contains NUL bytes (is this a binary file?)',
  },
  {
    name: 'a single 10 MB line',
    args: ['zero-shot', '-d', 'big.jsonl', ...dead],
    files: { 'big.jsonl': tenMegabyteLine },
    error: 'big.jsonl:1: line longer than 8 MiB (is this a JSONL file?)',
  },
  {
    name: '--dataset that does not exist',
    args: ['zero-shot', '-d', 'nope.jsonl', ...dead],
    error: '--dataset nope.jsonl: no such file',
  },
  {
    name: '--dataset that is a directory',
    args: ['zero-shot', '-d', '.', ...dead],
    error: '--dataset .: is a directory, not a file',
  },
  {
    name: 'duplicate ids',
    args: ['zero-shot', '-d', 'dup.jsonl', ...dead],
    files: { 'dup.jsonl': jsonl({ id: 'a', input: 'x' }, { id: 'b', input: 'y' }, { id: 'a', input: 'z' }) },
    error: 'dup.jsonl:3: duplicate id "a" (ids must be unique within a dataset)',
  },
  {
    name: 'an id that is an object',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ id: { n: 1 }, input: 'x' }) },
    error: 'data.jsonl:1: "id" must be a string or a number',
  },
  {
    name: 'a bad "expected" type',
    args: ['zero-shot', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ input: 'x', expected: { answer: 1 } }) },
    error: 'data.jsonl:1: "expected" must be a string, number, boolean or a non-empty list of them',
  },
  {
    name: 'CSV with an unterminated quote',
    args: ['zero-shot', '-d', 'data.csv', ...dead],
    files: { 'data.csv': 'input,expected\n"what is 1+1,2\n' },
    error: 'data.csv:2: unterminated quoted field',
  },
  {
    name: 'CSV row with too few columns',
    args: ['zero-shot', '-d', 'data.csv', ...dead],
    files: { 'data.csv': 'input,expected\nonly one\n' },
    error: 'data.csv:2: 1 columns, but the header has 2',
  },
  {
    name: 'an input text and --dataset',
    args: ['zero-shot', 'hello', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ input: 'x' }) },
    error: 'give either an input text or --dataset, not both',
  },
  {
    name: 'no input at all, empty stdin',
    args: ['zero-shot', ...dead],
    stdin: '',
    error: 'no input: pass the text as an argument, pipe it on stdin (stdin was empty), or use --dataset FILE',
  },
  // Templates
  {
    name: 'unknown template',
    args: ['zero-shot', '-t', 'nope', 'x', ...dead],
    error: /^unknown template "nope" \(looked in prompts\/ and .+\); available: .*\bmath\b.*\bquestion\b/,
  },
  {
    name: 'template path that does not exist',
    args: ['zero-shot', '-t', './nope.prompt', 'x', ...dead],
    error: 'template file "./nope.prompt" not found',
  },
  {
    name: 'template syntax error',
    args: ['zero-shot', '-t', 'broken', 'x', ...dead],
    files: { 'prompts/broken.prompt': '---\ndescription: x\n---\nfirst line\n{{input}\n' },
    error: 'template "broken" (prompts/broken.prompt:5): Handlebars syntax error near "first line{{input}"',
  },
  {
    name: 'unknown promptlab: front-matter key',
    args: ['zero-shot', '-t', 'typo', 'x', ...dead],
    files: { 'prompts/typo.prompt': '---\npromptlab:\n  answr: number\n---\n{{input}}\n' },
    error: /^template "typo" \(prompts\/typo\.prompt:3\): unknown promptlab setting "answr" \(known: answer, /,
  },
  {
    name: 'front matter that is not YAML',
    args: ['zero-shot', '-t', 'yaml', 'x', ...dead],
    files: { 'prompts/yaml.prompt': '---\ndescription: [unclosed\n---\n{{input}}\n' },
    error: /^template "yaml" \(prompts\/yaml\.prompt:\d\): invalid YAML front matter: /,
  },
  {
    name: 'partial reaching outside the template directories',
    args: ['zero-shot', '-t', 'escape', 'x', ...dead],
    files: { 'prompts/escape.prompt': '{{> ../../etc/passwd}}\n' },
    error: /^template "escape" \(prompts\/escape\.prompt:1\): partial name "\.\.\/\.\.\/etc\/passwd" is refused/,
  },
  // Flag values
  {
    name: 'unknown strategy in compare --strategies',
    args: ['compare', '--strategies', 'zero-shot,telepathy', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ input: 'x', expected: 'y' }) },
    error: '--strategies: unknown strategy "telepathy" (known: zero-shot, few-shot, in-context, cot, self-consistency)',
  },
  {
    name: '--samples 0',
    args: ['self-consistency', '--samples', '0', 'x', ...dead],
    error: '--samples must be a positive integer, got "0"',
  },
  {
    name: '--temperature -1',
    args: ['zero-shot', '--temperature', '-1', 'x', ...dead],
    error: '--temperature must be a number from 0 to 2, got "-1"',
  },
  {
    name: '--temperature abc',
    args: ['zero-shot', '--temperature', 'abc', 'x', ...dead],
    error: '--temperature must be a number from 0 to 2, got "abc"',
  },
  {
    name: '-c abc',
    args: ['zero-shot', '-c', 'abc', 'x', ...dead],
    error: '-c/--concurrency must be a positive integer, got "abc"',
  },
  {
    name: '-c 0',
    args: ['zero-shot', '-c', '0', 'x', ...dead],
    error: '-c/--concurrency must be a positive integer, got "0"',
  },
  {
    name: '--max-tokens 0',
    args: ['zero-shot', '--max-tokens', '0', 'x', ...dead],
    error: '--max-tokens must be a positive integer, got "0"',
  },
  {
    name: '--seed 1.5',
    args: ['zero-shot', '--seed', '1.5', 'x', ...dead],
    error: '--seed must be an integer, got "1.5"',
  },
  {
    name: '--shots 999, more than the examples file holds (refused, not clamped)',
    args: ['few-shot', '--examples', 'examples.jsonl', '--shots', '999', 'x', ...dead],
    files: { 'examples.jsonl': examples },
    error: '--shots 999 is more than the 2 demonstration(s) in examples.jsonl',
  },
  {
    name: 'few-shot without --examples',
    args: ['few-shot', 'x', ...dead],
    error:
      '--examples is required: few-shot needs a JSONL file of {input, output} demonstrations (or demonstrations: in the template)',
  },
  {
    name: 'examples file without "output"',
    args: ['few-shot', '--examples', 'examples.jsonl', 'x', ...dead],
    files: { 'examples.jsonl': jsonl({ input: 'a', output: 'b' }, { input: 'c' }) },
    error: 'examples.jsonl:2: missing "output" (a demonstration needs "input" and "output")',
  },
  {
    name: 'examples file that does not exist',
    args: ['few-shot', '--examples', 'missing.jsonl', 'x', ...dead],
    error: '--examples missing.jsonl: no such file',
  },
  {
    name: '--answer bogus',
    args: ['zero-shot', '--answer', 'bogus', 'x', ...dead],
    error: '--answer: expected number|choice|yesno|text|regex:PATTERN, got "bogus"',
  },
  {
    name: '--answer regex:( (invalid regex)',
    args: ['zero-shot', '--answer', 'regex:(', 'x', ...dead],
    error: /^--answer: invalid regular expression "\(": /,
  },
  {
    name: '--match fuzzy',
    args: ['zero-shot', '--match', 'fuzzy', 'x', ...dead],
    error: '--match must be one of exact, numeric, normalized, got "fuzzy"',
  },
  {
    name: '--pick middle',
    args: ['zero-shot', '--pick', 'middle', 'x', ...dead],
    error: '--pick must be one of first, last, got "middle"',
  },
  {
    name: '--order sideways',
    args: ['few-shot', '--examples', 'examples.jsonl', '--order', 'sideways', 'x', ...dead],
    files: { 'examples.jsonl': examples },
    error: '--order must be one of first, random, got "sideways"',
  },
  {
    name: '--select magic',
    args: ['in-context', '--pool', 'examples.jsonl', '--shots', '1', '--select', 'magic', 'x', ...dead],
    files: { 'examples.jsonl': examples },
    error: '--select must be one of lexical, embedding, random, got "magic"',
  },
  {
    name: '--extract magic',
    args: ['cot', '--extract', 'magic', 'x', ...dead],
    error: '--extract must be one of pattern, two-stage, got "magic"',
  },
  {
    name: '--stop never',
    args: ['self-consistency', '--stop', 'never', 'x', ...dead],
    error: '--stop must be one of fixed, esc, beta, got "never"',
  },
  {
    name: '--confidence 1.5',
    args: ['self-consistency', '--stop', 'beta', '--confidence', '1.5', 'x', ...dead],
    error: '--confidence must be a number strictly between 0.5 and 1, got "1.5"',
  },
  {
    name: '--window 0',
    args: ['self-consistency', '--stop', 'esc', '--window', '0', 'x', ...dead],
    error: '--window must be a positive integer, got "0"',
  },
  {
    name: '--vars with invalid JSON',
    args: ['zero-shot', '--vars', '{"a":', 'x', ...dead],
    error: /^--vars: not valid JSON \(.+\)$/,
  },
  {
    name: '--vars that is not an object',
    args: ['zero-shot', '--vars', '[1]', 'x', ...dead],
    error: '--vars: expected a JSON object',
  },
  {
    name: '--vars @missing.json',
    args: ['zero-shot', '--vars', '@missing.json', 'x', ...dead],
    error: '--vars @missing.json: cannot read the file (ENOENT)',
  },
  {
    name: '--var novalue',
    args: ['zero-shot', '--var', 'novalue', 'x', ...dead],
    error: '--var expects key=value, got "novalue"',
  },
  {
    name: '--json --jsonl together',
    args: ['zero-shot', '--json', '--jsonl', 'x', ...dead],
    error: '--json and --jsonl: choose one',
  },
  {
    name: '--max-errors lots',
    args: ['zero-shot', '--max-errors', 'lots', 'x', ...dead],
    error: '--max-errors: expected a count like 5 or a percentage like 10% (at most 100%), got "lots"',
  },
  // Endpoint settings and config files
  {
    name: '--base-url not-a-url',
    args: ['zero-shot', '--base-url', 'not-a-url', '-m', 'm', 'x'],
    error: '--base-url must be an http(s) URL, got "not-a-url"',
  },
  {
    name: 'OPENAI_BASE_URL not a URL',
    args: ['zero-shot', '-m', 'm', 'x'],
    env: { OPENAI_BASE_URL: 'localhost:8080' },
    error: 'OPENAI_BASE_URL must be an http(s) URL, got "localhost:8080"',
  },
  {
    name: 'unknown --endpoint',
    args: ['zero-shot', '--endpoint', 'groq', 'x', ...dead],
    error: '--endpoint: unknown endpoint "groq": no promptlab.config.json or .yaml was found',
  },
  {
    name: 'unknown key in promptlab.config.json',
    args: ['zero-shot', 'x', ...dead],
    files: { 'promptlab.config.json': '{"model": "m", "temprature": 0.2}\n' },
    error: 'promptlab.config.json: unknown key "temprature" (did you mean "temperature"?)',
  },
  {
    name: 'an API key in promptlab.config.json',
    args: ['zero-shot', 'x', ...dead],
    files: { 'promptlab.config.json': '{"apiKey": "not-a-real-key"}\n' },
    error: /^promptlab\.config\.json: "apiKey" is not allowed: .*"apiKeyEnv"$/,
  },
  {
    name: 'config file with invalid YAML',
    args: ['zero-shot', 'x', ...dead],
    files: { 'promptlab.config.yaml': 'model: m\nendpoints: [unclosed\n' },
    error: /^promptlab\.config\.yaml:\d+:\d+: invalid YAML: /,
  },
  // Commander's own errors, made one line
  { name: 'unknown option', args: ['zero-shot', '--frobnicate', 'x', ...dead], error: "unknown option '--frobnicate'" },
  {
    name: 'misspelt option (suggestion kept on the same line)',
    args: ['zero-shot', '--temprature', '1', 'x', ...dead],
    error: "unknown option '--temprature' (did you mean --temperature?)",
  },
  {
    name: 'option missing its value',
    args: ['zero-shot', 'x', '--model'],
    error: "option '-m, --model <name>' argument missing",
  },
  { name: 'unknown command', args: ['zero-shoot', 'x'], error: /^unknown command 'zero-shoot'/ },
  // compare and score
  {
    name: 'compare without --dataset',
    args: ['compare', '--strategies', 'zero-shot', ...dead],
    error: 'compare needs --dataset FILE (JSONL records with "expected")',
  },
  {
    name: '--fail-under 2',
    args: ['compare', '--fail-under', '2', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ input: 'x', expected: 'y' }) },
    error: '--fail-under must be a number from 0 to 1, got "2"',
  },
  {
    name: '--format xml',
    args: ['compare', '--format', 'xml', '-d', 'data.jsonl', ...dead],
    files: { 'data.jsonl': jsonl({ input: 'x', expected: 'y' }) },
    error: '--format must be one of table, json, jsonl, markdown, junit, html, got "xml"',
  },
  {
    name: '--baseline file that is not JSON',
    args: ['compare', '--baseline', 'baseline.json', '-d', 'data.jsonl', ...dead],
    files: { 'baseline.json': 'strategy accuracy\ncot 0.8\n', 'data.jsonl': jsonl({ input: 'x', expected: 'y' }) },
    error: /^--baseline baseline\.json: not valid JSON \(.+\)$/,
  },
  {
    name: 'score: a line without completion(s)',
    args: ['score', 'recorded.jsonl'],
    files: { 'recorded.jsonl': jsonl({ id: 'a', expected: '1', output: '1' }) },
    error:
      'recorded.jsonl:1: needs "completion" (a string) or "completions" (a list); another tool\'s field names: --completions-field NAME, --expected-field NAME',
  },
  {
    name: 'score: malformed line',
    args: ['score', 'recorded.jsonl'],
    files: { 'recorded.jsonl': '{"completion": "1"}\n{nope\n' },
    error: /^recorded\.jsonl:2: not valid JSON \(.+\)$/,
  },
  {
    name: 'score: file that does not exist',
    args: ['score', 'missing.jsonl'],
    error: 'score missing.jsonl: no such file',
  },
  {
    name: 'score: --max-samples 0',
    args: ['score', 'recorded.jsonl', '--max-samples', '0'],
    files: { 'recorded.jsonl': jsonl({ completion: '1' }) },
    error: '--max-samples must be a positive integer, got "0"',
  },
];

// Removed once every row has finished: rows run concurrently, so not after each test.
const makeTempDir = useTempDirs();

async function workspace(files: Record<string, string | Buffer> = {}): Promise<string> {
  const directory = await makeTempDir('promptlab-bad-');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(directory, name)), { recursive: true });
    await writeFile(join(directory, name), content);
  }
  return directory;
}

async function runBad(row: BadInput, argsOverride?: string[], run = runCli): Promise<CliResult> {
  const cwd = await workspace(row.files);
  return run(argsOverride ?? row.args, { cwd, stdin: row.stdin ?? '', env: { PROMPTLAB_HOME: cwd, ...row.env } });
}

function expectOneLineInputError(result: CliResult, error: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).toMatch(/^promptlab: [^\n]+\n$/);
  const message = result.stderr.slice('promptlab: '.length, -1);
  if (typeof error === 'string') expect(message).toBe(error);
  else expect(message).toMatch(error);
  expect(result.stdout).toBe('');
}

describe('bad input', () => {
  it('the catalogue has at least 35 rows, each named once', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(35);
    expect(new Set(catalogue.map((row) => row.name)).size).toBe(catalogue.length);
  });

  // Each row runs in its own directory, in-process (rows in other directories take turns).
  it.each(catalogue)('$name → exit 2, one line naming the culprit', async (row) => {
    expectOneLineInputError(await runBad(row), row.error);
  });

  // The same, as a user meets it: the built CLI as a process, its real exit code and stderr.
  it.concurrent.each(catalogue.filter((row) => ['malformed JSONL line', '--fail-under 2'].includes(row.name)))(
    'the built CLI: $name → exit 2, one line',
    async (row) => {
      expectOneLineInputError(await runBad(row, undefined, runCliProcess), row.error);
    },
  );
});

describe('bad input is refused before any request', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  // The first records are good: a dataset file is checked whole before the first record is sent.
  const late: BadInput[] = [
    {
      name: 'malformed line 3',
      args: [],
      files: { 'data.jsonl': `${jsonl({ input: 'a' }, { input: 'b' })}{oops\n` },
      error: /^data\.jsonl:3: not valid JSON/,
    },
    {
      name: 'missing variable on line 3',
      args: [],
      files: { 'data.jsonl': jsonl({ input: 'a' }, { input: 'b' }, { text: 'c' }) },
      error: /record data\.jsonl:3 is missing variable\(s\): input$/,
    },
    {
      name: 'duplicate id on line 3',
      args: [],
      files: { 'data.jsonl': jsonl({ id: 1, input: 'a' }, { id: 2, input: 'b' }, { id: 1, input: 'c' }) },
      error: 'data.jsonl:3: duplicate id "1" (ids must be unique within a dataset)',
    },
    {
      name: 'binary bytes on line 3',
      args: [],
      files: {
        'data.jsonl': Buffer.concat([
          Buffer.from(jsonl({ input: 'a' }, { input: 'b' })),
          Buffer.from([0xff, 0xfe, 0x0a]),
        ]),
      },
      error: 'data.jsonl:3: not UTF-8 text (is this a binary file?)',
    },
  ];

  it.each(late)('$name: no request reaches the server, no result is printed', async (row) => {
    const before = server.counts.total;
    const result = await runBad(row, [
      'zero-shot',
      '-d',
      'data.jsonl',
      '--jsonl',
      '-c',
      '1',
      '--base-url',
      server.url,
      '-m',
      'm',
    ]);
    expectOneLineInputError(result, row.error);
    expect(server.counts.total - before).toBe(0);
  });
});
