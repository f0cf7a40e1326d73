import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalFileTemplate } from '../../src/cli/eval-init.js';
import { ConfigError } from '../../src/errors.js';
import { parseEvalFile } from '../../src/run/eval-file.js';
import { repoRoot } from '../support/run-cli.js';

const folder = '/project/evals';
const parse = (text: string, name = 'promptlab.eval.yaml') => parseEvalFile(text, join(folder, name), name);

/** The YAML block the README shows under its eval-file-example marker. */
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const match = /<!-- eval-file-example[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(readme);
  if (match === null) throw new Error('README.md: no eval-file-example block');
  return match[1]!;
}

describe('the README example', () => {
  it('parses into the run it describes', () => {
    const evalFile = parse(readmeExample());
    expect(evalFile.models).toEqual(['gpt-4o-mini', 'local:llama3.1']);
    expect(evalFile.strategies.map((entry) => [entry.definition.name, entry.name])).toEqual([
      ['zero-shot', null],
      ['few-shot', null],
      ['cot', null],
      ['cot', 'cot-plan'],
      ['self-consistency', 'sc-5'],
      ['self-consistency', 'sc-10'],
    ]);
    expect(evalFile.strategies[1]!.settings).toEqual({ examples: `${folder}/fixtures/examples.jsonl`, shots: 4 });
    expect(evalFile.strategies[5]!.settings).toEqual({ samples: 10, temperature: 0.8 });
    expect(evalFile.flagValues).toMatchObject({
      dataset: `${folder}/fixtures/arithmetic.jsonl`,
      answer: 'number',
      match: 'numeric',
      template: 'math',
      baselineStrategy: 'zero-shot',
      baselineModel: 'gpt-4o-mini',
      failUnder: 'cot-plan=0.8,local:llama3.1/sc-10=0.85',
      baseline: `${folder}/reports/last.json`,
      maxErrors: '2%',
      concurrency: '8',
      maxTokens: '512',
      seed: '1',
      cache: `${folder}/.promptlab-cache`,
    });
    expect(evalFile.outputs.map((output) => [output.format, output.path])).toEqual([
      ['table', null],
      ['json', `${folder}/reports/eval.json`],
      ['html', `${folder}/reports/eval.html`],
      ['junit', `${folder}/reports/junit.xml`],
      ['markdown', `${folder}/reports/summary.md`],
    ]);
    expect(evalFile.labels.failUnder).toBe('promptlab.eval.yaml: gates.failUnder');
  });

  it('gives the typo message the README quotes, word for word', () => {
    const quoted = /`(promptlab\.eval\.yaml:\d+: strategies\[5\]\.sampels: [^`]+)`/.exec(
      readFileSync(join(repoRoot, 'README.md'), 'utf8'),
    )![1]!;
    const typo = readmeExample().replace('samples: 10', 'sampels: 10');
    expect(() => parse(typo)).toThrow(new ConfigError(quoted));
  });
});

describe('parseEvalFile', () => {
  it('reads the file eval --init writes', () => {
    const evalFile = parse(evalFileTemplate);
    expect(evalFile.strategies.map((entry) => entry.name ?? entry.definition.name)).toEqual([
      'zero-shot',
      'cot',
      'cot-plan',
    ]);
    expect(evalFile.outputs).toEqual([{ format: 'table', path: null, label: 'promptlab.eval.yaml: outputs[0].path' }]);
    expect(evalFile.models).toBeNull();
  });

  it('reads JSON too, and endpoint objects as ENDPOINT:MODEL', () => {
    const evalFile = parse(
      JSON.stringify({
        dataset: { file: '/data/x.jsonl', normalize: ['lowercase', 'strip-quotes'] },
        models: [{ endpoint: 'local' }, { endpoint: 'groq', model: 'llama-3.1-8b' }],
        strategies: [
          { strategy: 'in-context', pool: 'pool.jsonl', context: ['a.md', 'b.md'], template: 'prompts/x.prompt' },
        ],
      }),
      'eval.json',
    );
    expect(evalFile.models).toEqual(['local:', 'groq:llama-3.1-8b']);
    expect(evalFile.flagValues).toMatchObject({ dataset: '/data/x.jsonl', normalize: 'lowercase,strip-quotes' });
    expect(evalFile.strategies[0]!.settings).toEqual({
      pool: `${folder}/pool.jsonl`,
      context: [`${folder}/a.md`, `${folder}/b.md`],
      template: `${folder}/prompts/x.prompt`,
    });
  });

  const dataset = 'dataset: { file: d.jsonl }\n';
  it.each([
    [
      `${dataset}strategies: [cot]\noutputs:\n  - paht: x.json\n`,
      'promptlab.eval.yaml:4: outputs[0]: unknown key "paht" (did you mean "path"?)',
    ],
    [
      `${dataset}strategies: [cot]\nmodels:\n  - endpont: local\n`,
      'promptlab.eval.yaml:4: models[0]: expected MODEL, ENDPOINT:MODEL or { endpoint, model }',
    ],
    [
      `${dataset}strategies: [cot]\ngates:\n  failUnde: 0.5\n`,
      'promptlab.eval.yaml:4: gates: unknown key "failUnde" (did you mean "failUnder"?)',
    ],
    [
      `${dataset}strategies: [cot]\ngates:\n  failUnder: 80\n`,
      'promptlab.eval.yaml:4: gates.failUnder: expected a number from 0 to 1',
    ],
    [
      `${dataset}strategies: [cot]\ntemperature: 3\n`,
      'promptlab.eval.yaml:3: temperature: expected a number from 0 to 2',
    ],
    [
      `${dataset}strategies: [cot]\noutputs: [{}]\n`,
      'promptlab.eval.yaml:3: outputs[0]: give a format, a path, or both',
    ],
    [
      `${dataset}strategies: [cot]\noutputs: [pdf]\n`,
      'promptlab.eval.yaml:3: outputs[0]: expected a format (table, json, jsonl, markdown, junit, html) or { format, path }',
    ],
    [
      `${dataset}strategies: [cot]\nmodels: []\n`,
      'promptlab.eval.yaml:3: models: name at least one model (or leave models out for the configured one)',
    ],
    [`${dataset}strategies: []\n`, 'promptlab.eval.yaml:2: strategies: name at least one strategy'],
    [
      `dataset: { file: d.jsonl, answer: regx }\nstrategies: [cot]\n`,
      'promptlab.eval.yaml:1: dataset.answer: expected number|choice|yesno|text|regex:PATTERN, got "regx"',
    ],
    [
      `dataset: { file: d.jsonl, normalize: [lowercase, upper] }\nstrategies: [cot]\n`,
      'promptlab.eval.yaml:1: dataset.normalize: unknown normalisation step "upper" (known: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles)',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, name: cot/plan }\n`,
      'promptlab.eval.yaml:3: strategies[0].name: "cot/plan": a variant\'s name is letters, digits, ".", "_" and "-", starting with a letter or digit',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, name: zero-shot }\n`,
      'promptlab.eval.yaml:3: strategies[0].name: "zero-shot" is a strategy\'s name; give the variant a name of its own',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, extract: three-stage }\n`,
      'promptlab.eval.yaml:3: strategies[0].extract: must be one of pattern, two-stage, got "three-stage"',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, trigger: { a: 1 } }\n`,
      'promptlab.eval.yaml:3: strategies[0].trigger: expected a single value',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, temperature: -1 }\n`,
      'promptlab.eval.yaml:3: strategies[0].temperature: expected a number from 0 to 2',
    ],
    [
      `${dataset}strategies:\n  - { strategy: cot, name: a }\n  - { strategy: zero-shot, name: a }\n`,
      'promptlab.eval.yaml: strategies[1]: the name "a" is given twice (strategies[0] too)',
    ],
    [
      `${dataset}strategies: [cot]\ndataset: { file: e.jsonl }\n`,
      /^promptlab\.eval\.yaml:3:1: invalid YAML: Map keys must be unique/,
    ],
  ])('%j → %s', (text, message) => {
    if (typeof message === 'string') expect(() => parse(text)).toThrow(new ConfigError(message));
    else expect(() => parse(text)).toThrow(message);
  });
});
