/** `prices:` in the config file: model → { input, output } USD per million tokens, strict like the rest. */
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/config/parse-config-file.js';
import { ConfigError } from '../../src/errors.js';

describe('config file prices', () => {
  it('reads prices from YAML and JSON', () => {
    const yaml = 'prices:\n  gpt-4o-mini: { input: 0.15, output: 0.6 }\n  "llama3.1:8b": { input: 0, output: 0 }\n';
    expect(parseConfigFile(yaml, 'promptlab.config.yaml').data.prices).toEqual({
      'gpt-4o-mini': { input: 0.15, output: 0.6 },
      'llama3.1:8b': { input: 0, output: 0 },
    });
    const json = '{"prices": {"gpt-4o": {"input": 2.5, "output": 10}}}';
    expect(parseConfigFile(json, 'promptlab.config.json').data.prices).toEqual({
      'gpt-4o': { input: 2.5, output: 10 },
    });
  });

  it.each([
    [
      'a typo in a price key',
      'prices:\n  m: { input: 1, output: 2, ouput: 3 }\n',
      'prices.m: unknown key "ouput" (did you mean "output"?)',
    ],
    ['a negative price', 'prices:\n  m: { input: -1, output: 2 }\n', 'prices.m.input: expected USD per million tokens'],
    ['a missing output', 'prices:\n  m: { input: 1 }\n', 'prices.m.output: expected USD per million tokens'],
    ['a list instead of an object', 'prices:\n  m: [1, 2]\n', 'prices.m: '],
    [
      'a typo in the key itself',
      'price:\n  m: { input: 1, output: 2 }\n',
      'unknown key "price" (did you mean "prices"?)',
    ],
  ])('refuses %s, naming the file and key', (_name, yaml, message) => {
    expect(() => parseConfigFile(yaml, '/p/promptlab.config.yaml', 'promptlab.config.yaml')).toThrow(ConfigError);
    expect(() => parseConfigFile(yaml, '/p/promptlab.config.yaml', 'promptlab.config.yaml')).toThrow(
      `promptlab.config.yaml: ${message}`,
    );
  });
});
