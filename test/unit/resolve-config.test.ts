import { describe, expect, it } from 'vitest';
import type { ConfigFile, ConfigFileData } from '../../src/config/config-file.js';
import { resolveConfig, type EndpointFlags, type ResolvedConfig } from '../../src/config/resolve-config.js';
import { ConfigError, UsageError } from '../../src/errors.js';

const homeDir = '/home/ada';
const filePath = '/project/promptlab.config.yaml';

interface Case {
  flags?: EndpointFlags;
  env?: Record<string, string | undefined>;
  file?: ConfigFileData;
}

const resolve = ({ flags = {}, env = {}, file }: Case): ResolvedConfig =>
  resolveConfig({
    flags,
    env,
    file: file === undefined ? null : ({ path: filePath, data: file } satisfies ConfigFile),
    homeDir,
  });

const endpoints = {
  local: { baseUrl: 'http://localhost:8080/v1', model: 'local-model' },
  groq: { baseUrl: 'https://api.groq.com/openai/v1', model: 'llama-3.1-8b', apiKeyEnv: 'GROQ_API_KEY' },
};

describe('resolveConfig: defaults', () => {
  it('with nothing given', () => {
    expect(resolve({})).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      apiKey: null,
      model: null,
      temperature: null,
      maxTokens: null,
      seed: null,
      concurrency: 8,
      timeoutMs: 300_000,
      retries: 2,
      maxRetryWaitMs: 60_000,
      cache: { enabled: false, dir: '/home/ada/.cache/promptlab/cache' },
      configPath: null,
    });
  });

  it('is frozen, cache included', () => {
    const config = resolve({});
    expect([Object.isFrozen(config), Object.isFrozen(config.cache)]).toEqual([true, true]);
  });
});

describe('resolveConfig: precedence', () => {
  it.each<[string, Case, string]>([
    ['default', {}, 'https://api.openai.com/v1'],
    ['file top level', { file: { baseUrl: 'http://file/v1' } }, 'http://file/v1'],
    [
      'file endpoint beats file top level',
      { file: { baseUrl: 'http://file/v1', endpoint: 'local', endpoints } },
      'http://localhost:8080/v1',
    ],
    [
      'env beats file endpoint',
      { env: { OPENAI_BASE_URL: 'http://env/v1' }, file: { endpoint: 'local', endpoints } },
      'http://env/v1',
    ],
    [
      '--endpoint beats env',
      {
        flags: { endpoint: 'groq' },
        env: { OPENAI_BASE_URL: 'http://env/v1', GROQ_API_KEY: 'gsk' },
        file: { endpoints },
      },
      'https://api.groq.com/openai/v1',
    ],
    [
      '--endpoint beats file endpoint',
      { flags: { endpoint: 'groq' }, env: { GROQ_API_KEY: 'gsk' }, file: { endpoint: 'local', endpoints } },
      'https://api.groq.com/openai/v1',
    ],
    [
      '--base-url beats everything',
      {
        flags: { baseUrl: 'http://flag/v1', endpoint: 'groq' },
        env: { OPENAI_BASE_URL: 'http://env/v1', GROQ_API_KEY: 'gsk' },
        file: { endpoints },
      },
      'http://flag/v1',
    ],
    [
      'empty env counts as unset',
      { env: { OPENAI_BASE_URL: '' }, file: { baseUrl: 'http://file/v1' } },
      'http://file/v1',
    ],
    ['trailing slashes go', { flags: { baseUrl: 'http://localhost:11434/v1/' } }, 'http://localhost:11434/v1'],
  ])('baseUrl: %s', (_name, input, expected) => {
    expect(resolve(input).baseUrl).toBe(expected);
  });

  it.each<[string, Case, string | null]>([
    ['none', {}, null],
    ['file top level', { file: { model: 'file-model' } }, 'file-model'],
    ['file endpoint beats top level', { file: { model: 'file-model', endpoint: 'local', endpoints } }, 'local-model'],
    [
      'env beats file endpoint',
      { env: { PROMPTLAB_MODEL: 'env-model' }, file: { endpoint: 'local', endpoints } },
      'env-model',
    ],
    [
      '--endpoint beats env',
      { flags: { endpoint: 'local' }, env: { PROMPTLAB_MODEL: 'env-model' }, file: { endpoints } },
      'local-model',
    ],
    [
      '--model beats everything',
      { flags: { model: 'flag-model', endpoint: 'local' }, env: { PROMPTLAB_MODEL: 'env-model' }, file: { endpoints } },
      'flag-model',
    ],
    [
      'an endpoint without a model falls through',
      {
        flags: { endpoint: 'bare' },
        file: { model: 'file-model', endpoints: { bare: { baseUrl: 'http://bare/v1' } } },
      },
      'file-model',
    ],
  ])('model: %s', (_name, input, expected) => {
    expect(resolve(input).model).toBe(expected);
  });

  it.each<[string, Case, string | null]>([
    ['none', {}, null],
    ['OPENAI_API_KEY', { env: { OPENAI_API_KEY: 'sk-env' } }, 'sk-env'],
    ['empty OPENAI_API_KEY is none', { env: { OPENAI_API_KEY: '' } }, null],
    ['--api-key beats env', { flags: { apiKey: 'sk-flag' }, env: { OPENAI_API_KEY: 'sk-env' } }, 'sk-flag'],
    ['--api-key "" sends none', { flags: { apiKey: '' }, env: { OPENAI_API_KEY: 'sk-env' } }, null],
    [
      'top-level apiKeyEnv is read',
      { env: { MY_KEY: 'sk-mine', OPENAI_API_KEY: 'sk-env' }, file: { apiKeyEnv: 'MY_KEY' } },
      'sk-mine',
    ],
    [
      'endpoint apiKeyEnv beats top level',
      {
        flags: { endpoint: 'groq' },
        env: { GROQ_API_KEY: 'gsk-groq', MY_KEY: 'sk-mine' },
        file: { apiKeyEnv: 'MY_KEY', endpoints },
      },
      'gsk-groq',
    ],
    [
      'an endpoint without apiKeyEnv uses OPENAI_API_KEY',
      { flags: { endpoint: 'local' }, env: { OPENAI_API_KEY: 'sk-env' }, file: { endpoints } },
      'sk-env',
    ],
    [
      '--api-key beats apiKeyEnv',
      { flags: { endpoint: 'groq', apiKey: 'sk-flag' }, env: { GROQ_API_KEY: 'gsk-groq' }, file: { endpoints } },
      'sk-flag',
    ],
  ])('apiKey: %s', (_name, input, expected) => {
    expect(resolve(input).apiKey).toBe(expected);
  });

  it('apiKey: an apiKeyEnv naming a variable that is not set is a config error naming it, never OPENAI_API_KEY', () => {
    expect(() =>
      resolve({ flags: { endpoint: 'groq' }, env: { OPENAI_API_KEY: 'sk-openai' }, file: { endpoints } }),
    ).toThrow(/apiKeyEnv names GROQ_API_KEY, which is not set in the environment/);
  });

  it.each<[string, Case, Partial<ResolvedConfig>]>([
    [
      'file values',
      { file: { temperature: 0.3, maxTokens: 256, seed: 7, concurrency: 2, timeout: 30, retries: 0, maxRetryWait: 5 } },
      {
        temperature: 0.3,
        maxTokens: 256,
        seed: 7,
        concurrency: 2,
        timeoutMs: 30_000,
        retries: 0,
        maxRetryWaitMs: 5_000,
      },
    ],
    [
      'flags beat file',
      {
        flags: {
          temperature: '1',
          maxTokens: '10',
          seed: '-3',
          concurrency: '16',
          timeout: '1.5',
          retries: '5',
          maxRetryWait: '0',
        },
        file: { temperature: 0.3, maxTokens: 256, seed: 7, concurrency: 2, timeout: 30, retries: 0, maxRetryWait: 5 },
      },
      { temperature: 1, maxTokens: 10, seed: -3, concurrency: 16, timeoutMs: 1_500, retries: 5, maxRetryWaitMs: 0 },
    ],
    [
      'flags with spaces and exponents',
      { flags: { temperature: ' 0.7 ', maxTokens: '1e3' } },
      { temperature: 0.7, maxTokens: 1000 },
    ],
    ['a timeout past what timers hold is clamped', { flags: { timeout: '99999999' } }, { timeoutMs: 2 ** 31 - 1 }],
    ['configPath is the file path', { file: {} }, { configPath: filePath }],
  ])('numbers: %s', (_name, input, expected) => {
    expect(resolve(input)).toMatchObject(expected);
  });

  it.each<[string, Case, ResolvedConfig['cache']]>([
    ['off by default', {}, { enabled: false, dir: '/home/ada/.cache/promptlab/cache' }],
    ['--cache', { flags: { cache: true } }, { enabled: true, dir: '/home/ada/.cache/promptlab/cache' }],
    ['--cache DIR', { flags: { cache: './here' } }, { enabled: true, dir: './here' }],
    [
      '--no-cache beats the file',
      { flags: { cache: false }, file: { cache: true } },
      { enabled: false, dir: '/home/ada/.cache/promptlab/cache' },
    ],
    ['file true', { file: { cache: true } }, { enabled: true, dir: '/home/ada/.cache/promptlab/cache' }],
    [
      'file dir, relative to the file',
      { file: { cache: '.promptlab-cache' } },
      { enabled: true, dir: '/project/.promptlab-cache' },
    ],
    ['file dir absolute', { file: { cache: '/var/cache/pl' } }, { enabled: true, dir: '/var/cache/pl' }],
    [
      '--cache uses the file dir',
      { flags: { cache: true }, file: { cache: 'c' } },
      { enabled: true, dir: '/project/c' },
    ],
    [
      'PROMPTLAB_HOME',
      { flags: { cache: true }, env: { PROMPTLAB_HOME: '/tmp/pl' } },
      { enabled: true, dir: '/tmp/pl/cache' },
    ],
    [
      'XDG_CACHE_HOME',
      { flags: { cache: true }, env: { XDG_CACHE_HOME: '/xdg' } },
      { enabled: true, dir: '/xdg/promptlab/cache' },
    ],
    [
      'PROMPTLAB_HOME beats XDG_CACHE_HOME',
      { env: { PROMPTLAB_HOME: '/tmp/pl', XDG_CACHE_HOME: '/xdg' } },
      { enabled: false, dir: '/tmp/pl/cache' },
    ],
  ])('cache: %s', (_name, input, expected) => {
    expect(resolve(input).cache).toEqual(expected);
  });
});

describe('resolveConfig: validation', () => {
  it.each<[EndpointFlags, string]>([
    [{ temperature: '-1' }, '--temperature must be a number from 0 to 2, got "-1"'],
    [{ temperature: '2.5' }, '--temperature must be a number from 0 to 2, got "2.5"'],
    [{ temperature: 'hot' }, '--temperature must be a number from 0 to 2, got "hot"'],
    [{ temperature: '' }, '--temperature must be a number from 0 to 2, got ""'],
    [{ concurrency: 'abc' }, '-c/--concurrency must be a positive integer, got "abc"'],
    [{ concurrency: '0' }, '-c/--concurrency must be a positive integer, got "0"'],
    [{ concurrency: '1.5' }, '-c/--concurrency must be a positive integer, got "1.5"'],
    [{ timeout: '0' }, '--timeout must be a positive number of seconds, got "0"'],
    [{ timeout: '30s' }, '--timeout must be a positive number of seconds, got "30s"'],
    [{ retries: '-1' }, '--retries must be a non-negative integer, got "-1"'],
    [{ retries: '0x2' }, '--retries must be a non-negative integer, got "0x2"'],
    [{ maxTokens: '0' }, '--max-tokens must be a positive integer, got "0"'],
    [{ seed: '1.5' }, '--seed must be an integer, got "1.5"'],
    [{ maxRetryWait: '-5' }, '--max-retry-wait must be a non-negative number of seconds, got "-5"'],
    [{ baseUrl: 'localhost:8080' }, '--base-url must be an http(s) URL, got "localhost:8080"'],
    [{ baseUrl: 'ftp://example.com/v1' }, '--base-url must be an http(s) URL, got "ftp://example.com/v1"'],
    [{ model: ' ' }, '-m/--model must not be empty'],
    [{ endpoint: '' }, '--endpoint must not be empty'],
  ])('flags %j → UsageError', (flags, message) => {
    expect(() => resolve({ flags })).toThrow(new UsageError(message));
    expect(() => resolve({ flags })).toThrow(UsageError);
  });

  it.each<[string, Case, string]>([
    [
      'bad OPENAI_BASE_URL',
      { env: { OPENAI_BASE_URL: 'not a url' } },
      'OPENAI_BASE_URL must be an http(s) URL, got "not a url"',
    ],
    [
      'unknown --endpoint',
      { flags: { endpoint: 'gorq' }, file: { endpoints } },
      `--endpoint: unknown endpoint "gorq" (known endpoints: local, groq in ${filePath})`,
    ],
    [
      'unknown file endpoint',
      { file: { endpoint: 'nope', endpoints } },
      `${filePath}: endpoint: unknown endpoint "nope" (known endpoints: local, groq in ${filePath})`,
    ],
    [
      '--endpoint with no endpoints',
      { flags: { endpoint: 'local' }, file: {} },
      `--endpoint: unknown endpoint "local" (the config file defines no endpoints in ${filePath})`,
    ],
    [
      '--endpoint with no file',
      { flags: { endpoint: 'local' } },
      '--endpoint: unknown endpoint "local": no promptlab.config.json or .yaml was found',
    ],
    [
      'inherited names are not endpoints',
      { flags: { endpoint: 'toString' }, file: { endpoints } },
      `--endpoint: unknown endpoint "toString" (known endpoints: local, groq in ${filePath})`,
    ],
  ])('%s → ConfigError', (_name, input, message) => {
    expect(() => resolve(input)).toThrow(new ConfigError(message));
    expect(() => resolve(input)).toThrow(ConfigError);
  });

  it('a bad env value that a flag overrides is not an error', () => {
    expect(resolve({ flags: { baseUrl: 'http://flag/v1' }, env: { OPENAI_BASE_URL: 'not a url' } }).baseUrl).toBe(
      'http://flag/v1',
    );
  });
});
