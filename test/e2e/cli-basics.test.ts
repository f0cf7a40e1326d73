/** Help, version, templates, config files, stdin datasets, -o, and the endpoint exit codes. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const startServer = useTestServers();

const tempDir = () => makeTempDir('promptlab-basics-');

describe('help and version', () => {
  it('lists every command with a one-line description and examples', async () => {
    const result = await runCliProcess(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'zero-shot',
      'few-shot',
      'in-context',
      'cot',
      'self-consistency',
      'compare',
      'score',
      'templates',
      'cache',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(result.stdout).toMatch(new RegExp(`\\$ promptlab ${command}\\b`));
    }
  });

  it('prints the version from package.json', async () => {
    const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const result = await runCliProcess(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });
});

describe('templates', () => {
  it('lists shipped templates and a project template that shadows nothing', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'prompts'));
    await writeFile(join(cwd, 'prompts', 'greet.prompt'), '---\ndescription: Say hello.\n---\nHello {{name}}!\n');
    const result = await runCliProcess(['templates', 'list', '--json'], { cwd });
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout).map(
      (entry: { name: string; origin: string }) => `${entry.name}:${entry.origin}`,
    );
    expect(listed).toEqual(
      expect.arrayContaining([
        'greet:project',
        'question:shipped',
        'math:shipped',
        'multiple-choice:shipped',
        'yes-no:shipped',
        'extract:shipped',
      ]),
    );
  });

  it('shows a template file and renders its messages without calling anything', async () => {
    const shown = await runCli(['templates', 'show', 'math']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('answer: number');
    const rendered = await runCli(['templates', 'render', 'math', 'What is 2 plus 2?', '--json']);
    expect(rendered.code).toBe(0);
    const document = JSON.parse(rendered.stdout);
    expect(document.messages.at(-1)).toEqual({ role: 'user', content: 'What is 2 plus 2?' });
    expect(document.messages[0].role).toBe('system');
  });

  it('renders multiple-choice options from a --vars list', async () => {
    const rendered = await runCli([
      'templates',
      'render',
      'multiple-choice',
      'Which is a fruit?',
      '--vars',
      '{"choices":["stone","apple"]}',
      '--json',
    ]);
    expect(rendered.code).toBe(0);
    expect(JSON.parse(rendered.stdout).messages.at(-1).content).toMatch(/\(A\) stone\n\(B\) apple/);
  });
});

describe('endpoint settings', () => {
  it('takes model and base URL from promptlab.config.json found upward, and flags beat it', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const root = await tempDir();
    const nested = join(root, 'a', 'b');
    await mkdir(nested, { recursive: true });
    await writeFile(join(root, 'promptlab.config.json'), JSON.stringify({ model: 'from-file', baseUrl: server.url }));
    const fromFile = await runCli(['zero-shot', 'What is 2 plus 2?', '--json'], { cwd: nested });
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout).model).toBe('from-file');
    const fromEnv = await runCli(['zero-shot', 'What is 2 plus 2?', '--json'], {
      cwd: nested,
      env: { PROMPTLAB_MODEL: 'from-env' },
    });
    expect(JSON.parse(fromEnv.stdout).model).toBe('from-env');
    const fromFlag = await runCli(['zero-shot', 'What is 2 plus 2?', '--json', '-m', 'from-flag'], {
      cwd: nested,
      env: { PROMPTLAB_MODEL: 'from-env' },
    });
    expect(JSON.parse(fromFlag.stdout).model).toBe('from-flag');
    expect(server.calls.map((call) => call.model)).toEqual(['from-file', 'from-env', 'from-flag']);
  });

  it('asks for a model when none is set (exit 2)', async () => {
    const result = await runCliProcess(['zero-shot', 'hi', '--base-url', 'http://127.0.0.1:9/v1'], {
      cwd: await tempDir(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^promptlab: no model: pass --model/);
  });

  it('exits 3 naming the base URL when the endpoint is unreachable', async () => {
    const result = await runCliProcess([
      'zero-shot',
      'hi',
      '-m',
      'm',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '--retries',
      '0',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^promptlab: .*http:\/\/127\.0\.0\.1:9\/v1/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 3 when the key is refused, without printing the key', async () => {
    const server = await startServer({ apiKey: 'right-key' });
    const result = await runCliProcess([
      'zero-shot',
      'hi',
      '-m',
      'm',
      '--base-url',
      server.url,
      '--api-key',
      'wrong-key-123',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/401/);
    expect(result.stderr + result.stdout).not.toContain('wrong-key-123');
  });

  it('sends --temperature, --max-tokens and --seed as given', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const result = await runCli([
      'zero-shot',
      'What is 1 plus 1?',
      '-m',
      'm',
      '--base-url',
      server.url,
      '--temperature',
      '0.3',
      '--max-tokens',
      '5',
      '--seed',
      '9',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(server.calls[0]).toMatchObject({ temperature: 0.3, maxTokens: 5, seed: 9, n: 1 });
  });

  it('sends the key from OPENAI_API_KEY and none when there is none', async () => {
    const server = await startServer({ reply: arithmeticReply });
    await runCli(['zero-shot', 'What is 1 plus 1?', '-m', 'm', '--base-url', server.url], {
      env: { OPENAI_API_KEY: 'env-key' },
    });
    await runCli(['zero-shot', 'What is 1 plus 1?', '-m', 'm', '--base-url', server.url]);
    expect(server.calls.map((call) => call.headers.authorization)).toEqual(['Bearer env-key', undefined]);
  });
});

describe('datasets and output files', () => {
  it('reads a dataset from stdin with -d - and writes JSON to -o', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const directory = await tempDir();
    const output = join(directory, 'out.json');
    const stdin = [
      '{"id":"x","input":"What is 2 times 4?","expected":8}',
      '{"id":"y","input":"What is 3 plus 4?","expected":7}',
    ].join('\n');
    const result = await runCliProcess(
      ['zero-shot', '-d', '-', '--answer', 'number', '-m', 'm', '--base-url', server.url, '-o', output],
      { stdin },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const document = JSON.parse(await readFile(output, 'utf8'));
    expect(document).toMatchObject({
      schema: 'promptlab.run/v1',
      strategy: 'zero-shot',
      summary: { n: 2, correct: 2, accuracy: 1 },
    });
    expect(document.results.map((record: { id: string }) => record.id)).toEqual(['x', 'y']);
  });

  /** A zero-shot --jsonl run of a CSV dataset that holds `content`. */
  async function runCsv(content: string) {
    const server = await startServer({ reply: arithmeticReply });
    const dataset = join(await tempDir(), 'data.csv');
    await writeFile(dataset, content);
    const result = await runCli([
      'zero-shot',
      '-d',
      dataset,
      '--answer',
      'number',
      '--jsonl',
      '-m',
      'm',
      '--base-url',
      server.url,
    ]);
    return { result, server };
  }

  it('reads CSV datasets', async () => {
    const { result } = await runCsv('id,input,expected\nc1,"What is 5 plus 5?",10\n');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'c1', answer: '10', correct: true });
  });

  it('reads a quoted CSV field that spans lines as one value and sends it as written', async () => {
    const { result, server } = await runCsv('input,expected\n"What is 1 plus 1?\nThink first.",2\n');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ id: '1', answer: '2', correct: true });
    expect(server.calls[0]!.messages.at(-1)!.content).toBe('What is 1 plus 1?\nThink first.');
  });
});
