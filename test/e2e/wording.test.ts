/** What promptlab says when something is wrong: one line, naming what is at fault, in plain words. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const startServer = useTestServers();

describe('wording', () => {
  it('a variable missing from the command line is not called a record', async () => {
    const result = await runCli(['templates', 'render', 'math']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^promptlab: template "math" \(.*math\.prompt\): the command line is missing variable\(s\): input\n$/,
    );
  });

  it('an unknown template from promptlab’s own checkout names prompts/ once', async () => {
    const result = await runCli(['templates', 'show', 'nope'], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^promptlab: unknown template "nope" \(looked in [^ ]*prompts\/\); available: /);
  });

  it('a typo of an endpoint key is named as one, with the key meant, and not also as that key missing', async () => {
    const cwd = await makeTempDir('promptlab-wording-');
    await writeFile(
      join(cwd, 'promptlab.config.json'),
      JSON.stringify({ endpoints: { local: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' } } }),
    );
    const result = await runCli(['zero-shot', '--endpoint', 'local', 'hi'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'promptlab: promptlab.config.json: endpoints.local: unknown key "baseURL" (did you mean "baseUrl"?)\n',
    );
  });

  it('an apiKeyEnv naming a variable that is not set is exit 2 naming the variable', async () => {
    const cwd = await makeTempDir('promptlab-wording-');
    await writeFile(
      join(cwd, 'promptlab.config.json'),
      JSON.stringify({
        endpoints: { groq: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'GROQ_API_KEY' } },
      }),
    );
    const result = await runCli(['zero-shot', '--endpoint', 'groq', 'hi'], { cwd, env: { GROQ_API_KEY: undefined } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `promptlab: ${join(cwd, 'promptlab.config.json')}: apiKeyEnv names GROQ_API_KEY, which is not set in the environment (set it, or give --api-key)\n`,
    );
  });

  it('two failed gates are two lines, and neither says "and 1 more"', async () => {
    const server = await startServer({ reply: () => 'The answer is 0.' });
    const cwd = await makeTempDir('promptlab-wording-');
    await writeFile(join(cwd, 'data.jsonl'), '{"input": "What is 1 plus 1?", "expected": "2"}\n');
    const result = await runCli(
      [
        ...[
          'compare',
          '-d',
          'data.jsonl',
          '--strategies',
          'zero-shot,cot',
          '--fail-under',
          '0.5',
          '--answer',
          'number',
        ],
        ...['--base-url', server.url, '-m', 'test-model', '--json'],
      ],
      { cwd },
    );
    expect(result.code).toBe(4);
    const gates = result.stderr.split('\n').filter((line) => line.includes('gate failed'));
    expect(gates).toEqual([
      expect.stringMatching(/^promptlab: gate failed: .*cot/),
      expect.stringMatching(/^promptlab: gate failed: .*zero-shot/),
    ]);
    expect(result.stderr).not.toContain('more)');
  });

  it('batch prepare names one ignored flag in the singular', async () => {
    const cwd = await makeTempDir('promptlab-wording-');
    await writeFile(join(cwd, 'data.jsonl'), '{"input": "What is 1 plus 1?", "expected": "2"}\n');
    const result = await runCli(
      ['batch', 'prepare', 'zero-shot', '-d', 'data.jsonl', '-m', 'm', '-o', 'run', '--dry-run'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: batch prepare zero-shot: --dry-run only applies to an interactive run; ignoring it\n',
    );
  });
});
