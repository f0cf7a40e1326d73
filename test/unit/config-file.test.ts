import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfigFile } from '../../src/config/config-file.js';
import { ConfigError } from '../../src/errors.js';

let root: string;
beforeEach(async () => {
  // realpath: on macOS the temp dir is a symlink, and found paths are compared literally.
  root = await realpath(await mkdtemp(join(tmpdir(), 'promptlab-config-')));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(relativePath: string, text: string): Promise<string> {
  const path = join(root, relativePath);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

async function configErrorFrom(cwd: string): Promise<string> {
  const error = await findConfigFile(cwd).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('findConfigFile: finding', () => {
  it('returns null when no directory up to the root holds one', async () => {
    await mkdir(join(root, 'a/b'), { recursive: true });
    // The temp dir's ancestors (/tmp, /) hold no promptlab config on any sane machine.
    expect(await findConfigFile(join(root, 'a/b'))).toBeNull();
  });

  it.each([
    ['promptlab.config.json', '{"model": "m", "concurrency": 4}'],
    ['promptlab.config.yaml', 'model: m\nconcurrency: 4\n'],
    ['promptlab.config.yml', 'model: m\nconcurrency: 4\n'],
  ])('finds %s two levels up', async (name, text) => {
    const path = await write(name, text);
    await mkdir(join(root, 'a/b'), { recursive: true });
    expect(await findConfigFile(join(root, 'a/b'))).toEqual({ path, data: { model: 'm', concurrency: 4 } });
  });

  it('the nearest file wins', async () => {
    await write('promptlab.config.yaml', 'model: outer\n');
    const inner = await write('sub/promptlab.config.json', '{"model": "inner"}');
    expect(await findConfigFile(join(root, 'sub'))).toEqual({ path: inner, data: { model: 'inner' } });
  });

  it('reads every documented key, endpoints included', async () => {
    const yaml = [
      'baseUrl: http://localhost:8080/v1',
      'model: qwen2.5',
      'apiKeyEnv: LOCAL_KEY',
      'temperature: 0.2',
      'maxTokens: 512',
      'seed: 42',
      'concurrency: 4',
      'timeout: 120',
      'retries: 3',
      'maxRetryWait: 10',
      'cache: .cache',
      'endpoint: groq',
      'endpoints:',
      '  groq: { baseUrl: "https://api.groq.com/openai/v1", model: llama, apiKeyEnv: GROQ_API_KEY }',
      '  local: { baseUrl: "http://localhost:11434/v1" }',
    ].join('\n');
    const path = await write('promptlab.config.yaml', yaml);
    const found = await findConfigFile(root);
    expect(found?.path).toBe(path);
    expect(found?.data).toEqual({
      baseUrl: 'http://localhost:8080/v1',
      model: 'qwen2.5',
      apiKeyEnv: 'LOCAL_KEY',
      temperature: 0.2,
      maxTokens: 512,
      seed: 42,
      concurrency: 4,
      timeout: 120,
      retries: 3,
      maxRetryWait: 10,
      cache: '.cache',
      endpoint: 'groq',
      endpoints: {
        groq: { baseUrl: 'https://api.groq.com/openai/v1', model: 'llama', apiKeyEnv: 'GROQ_API_KEY' },
        local: { baseUrl: 'http://localhost:11434/v1' },
      },
    });
  });

  it('an empty YAML file is an empty set of settings', async () => {
    await write('promptlab.config.yaml', '# nothing yet\n');
    expect((await findConfigFile(root))?.data).toEqual({});
  });
});

describe('findConfigFile: errors name the file and the key', () => {
  it.each([
    ['promptlab.config.yaml', 'modle: gpt-4o\n', 'promptlab.config.yaml: unknown key "modle" (did you mean "model"?)'],
    ['promptlab.config.yaml', 'colour: blue\n', 'promptlab.config.yaml: unknown key "colour"'],
    ['promptlab.config.json', '{"concurrency": 0}', 'promptlab.config.json: concurrency: expected a positive integer'],
    [
      'promptlab.config.json',
      '{"concurrency": "8"}',
      'promptlab.config.json: concurrency: expected a positive integer',
    ],
    ['promptlab.config.yaml', 'temperature: 3\n', 'promptlab.config.yaml: temperature: expected a number from 0 to 2'],
    [
      'promptlab.config.yaml',
      'timeout: 30s\n',
      'promptlab.config.yaml: timeout: expected a positive number of seconds',
    ],
    ['promptlab.config.yaml', 'retries: -1\n', 'promptlab.config.yaml: retries: expected a non-negative integer'],
    ['promptlab.config.yaml', 'baseUrl: localhost:8080\n', 'promptlab.config.yaml: baseUrl: expected an http(s) URL'],
    ['promptlab.config.yaml', 'cache: 3\n', 'promptlab.config.yaml: cache: expected true, false or a directory'],
    ['promptlab.config.yaml', '- a\n- b\n', 'promptlab.config.yaml: expected an object of settings'],
    [
      'promptlab.config.yaml',
      'apiKey: sk-secret-123\n',
      'promptlab.config.yaml: "apiKey" is not allowed: keep keys out of files and name the environment variable that holds it with "apiKeyEnv"',
    ],
    [
      'promptlab.config.yaml',
      'apiKeyEnv: sk-secret-123\n',
      'promptlab.config.yaml: apiKeyEnv: expected the name of an environment variable, like GROQ_API_KEY',
    ],
    [
      'promptlab.config.yaml',
      'endpoints:\n  local: { baseUrl: "http://x/v1", modle: m }\n',
      'promptlab.config.yaml: endpoints.local: unknown key "modle" (did you mean "model"?)',
    ],
    [
      'promptlab.config.yaml',
      'endpoints:\n  local: { model: m }\n',
      'promptlab.config.yaml: endpoints.local.baseUrl: expected an http(s) URL',
    ],
    [
      'promptlab.config.yaml',
      'modle: m\nconcurrency: 0\n',
      // The unknown key first: a typo often explains the issues after it.
      'promptlab.config.yaml: unknown key "modle" (did you mean "model"?) (and 1 more)',
    ],
    [
      'promptlab.config.yaml',
      'model: m\n  bad: [\n',
      'promptlab.config.yaml:1:8: invalid YAML: Nested mappings are not allowed in compact mappings',
    ],
    [
      'promptlab.config.yaml',
      'model: a\nmodel: b\n',
      'promptlab.config.yaml:2:1: invalid YAML: Map keys must be unique',
    ],
  ])('%s holding %j', async (name, text, message) => {
    await write(name, text);
    expect(await configErrorFrom(root)).toBe(message);
  });

  it('bad JSON names the file', async () => {
    await write('promptlab.config.json', '{"model": }');
    expect(await configErrorFrom(root)).toMatch(/^promptlab\.config\.json: invalid JSON: /);
  });

  it('the key a file holds by mistake is never echoed', async () => {
    await write('promptlab.config.yaml', 'apiKey: sk-secret-123\n');
    expect(await configErrorFrom(root)).not.toContain('sk-secret-123');
  });

  it('a file found above the working directory is named by its relative path', async () => {
    await write('promptlab.config.yaml', 'modle: m\n');
    await mkdir(join(root, 'a/b'), { recursive: true });
    expect(await configErrorFrom(join(root, 'a/b'))).toBe(
      '../../promptlab.config.yaml: unknown key "modle" (did you mean "model"?)',
    );
  });

  it('two config files in one directory is an error, not a guess', async () => {
    await write('promptlab.config.json', '{}');
    await write('promptlab.config.yaml', '');
    expect(await configErrorFrom(root)).toBe('promptlab.config.json and promptlab.config.yaml both exist: keep one');
  });

  it('an unreadable candidate names its path', async () => {
    await mkdir(join(root, 'promptlab.config.json'));
    expect(await configErrorFrom(root)).toBe(`${join(root, 'promptlab.config.json')}: cannot read: EISDIR`);
  });
});
