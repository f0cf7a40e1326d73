import { describe, expect, it } from 'vitest';
import { cellNamer, type Cell } from '../../src/core/cells.js';
import { UsageError } from '../../src/errors.js';
import { parseModelList } from '../../src/run/model-targets.js';
import { parseFailUnder, selects } from '../../src/scoring/fail-under.js';

describe('parseModelList', () => {
  const endpoints = { local: { model: 'llama3.1' }, groq: {} };

  it.each([
    [
      'a,b',
      [
        ['a', 'a', null],
        ['b', 'b', null],
      ],
    ],
    [
      ' a , b ,',
      [
        ['a', 'a', null],
        ['b', 'b', null],
      ],
    ],
    ['local:qwen2.5', [['local:qwen2.5', 'qwen2.5', 'local']]],
    ['local:', [['local:llama3.1', 'llama3.1', 'local']]],
    ['groq:llama-3.1-8b-instant', [['groq:llama-3.1-8b-instant', 'llama-3.1-8b-instant', 'groq']]],
    // Not an endpoint: one model whose name has a colon (Ollama tags).
    ['llama3.1:8b', [['llama3.1:8b', 'llama3.1:8b', null]]],
    [
      'openai/gpt-4o,local:llama3.1',
      [
        ['openai/gpt-4o', 'openai/gpt-4o', null],
        ['local:llama3.1', 'llama3.1', 'local'],
      ],
    ],
  ])('%j → %j', (text, expected) => {
    const targets = parseModelList(text.split(','), endpoints, '--models');
    expect(targets.map((target) => [target.label, target.model, target.endpoint])).toEqual(expected);
  });

  it.each([
    ['', '--models: name at least one model'],
    ['a,b,a', '--models: "a" is listed twice'],
    ['local:,local:llama3.1', '--models: "local:llama3.1" is listed twice'],
    ['groq:', '--models: endpoint "groq" has no model in the config file; write groq:MODEL'],
  ])('refuses %j', (text, message) => {
    expect(() => parseModelList(text.split(','), endpoints, '--models')).toThrow(new UsageError(message));
  });
});

describe('parseFailUnder', () => {
  const cells: Cell[] = [
    { model: 'a', strategy: 'zero-shot', variant: null },
    { model: 'a', strategy: 'cot', variant: 'cot-plan' },
    { model: 'openai/gpt-4o', strategy: 'zero-shot', variant: null },
    { model: 'openai/gpt-4o', strategy: 'cot', variant: 'cot-plan' },
  ];

  it.each([
    ['0.8', [[0.8, null]]],
    ['zero-shot=0.7', [[0.7, { model: null, name: 'zero-shot' }]]],
    [
      'cot-plan=0.9,cot=0.5',
      [
        [0.9, { model: null, name: 'cot-plan' }],
        [0.5, { model: null, name: 'cot' }],
      ],
    ],
    ['a/cot-plan=0.85', [[0.85, { model: 'a', name: 'cot-plan' }]]],
    // A model name with a slash: the name is what follows the last one.
    ['openai/gpt-4o/zero-shot=0.6', [[0.6, { model: 'openai/gpt-4o', name: 'zero-shot' }]]],
  ])('%j → %j', (text, expected) => {
    expect(parseFailUnder(text, cells).map((gate) => [gate.threshold, gate.selector])).toEqual(expected);
  });

  it.each([
    ['1.5', '--fail-under must be a number from 0 to 1, got "1.5"'],
    ['cot=high', '--fail-under cot must be a number from 0 to 1, got "high"'],
    [
      'tot=0.5',
      '--fail-under: "tot" names no cell of this run (names: zero-shot, cot, cot-plan; models: a, openai/gpt-4o)',
    ],
    [
      'b/cot=0.5',
      '--fail-under: "b/cot" names no cell of this run (names: zero-shot, cot, cot-plan; models: a, openai/gpt-4o)',
    ],
    ['=0.5', '--fail-under: "" names no cell of this run (names: zero-shot, cot, cot-plan; models: a, openai/gpt-4o)'],
  ])('refuses %j', (text, message) => {
    expect(() => parseFailUnder(text, cells)).toThrow(new UsageError(message));
  });

  it('names the setting it parses (an eval file key)', () => {
    expect(() => parseFailUnder('tot=0.5', cells.slice(0, 2), 'eval.yaml: gates.failUnder')).toThrow(
      'eval.yaml: gates.failUnder: "tot" names no cell of this run (names: zero-shot, cot, cot-plan)',
    );
  });

  it.each([
    [{ model: null, name: 'cot' }, [false, true, false, true]],
    [{ model: null, name: 'cot-plan' }, [false, true, false, true]],
    [{ model: 'a', name: 'zero-shot' }, [true, false, false, false]],
  ])('%j selects %j', (selector, expected) => {
    expect(cells.map((cell) => selects(selector, cell))).toEqual(expected);
  });
});

describe('cellNamer', () => {
  it('names a cell by variant or strategy, after model/ when the run has several models', () => {
    const one = cellNamer([{ model: 'm', strategy: 'cot', variant: null }]);
    expect(one({ model: 'm', strategy: 'cot', variant: 'cot-plan' })).toBe('cot-plan');
    const two = cellNamer([
      { model: 'm', strategy: 'cot', variant: null },
      { model: 'n', strategy: 'cot', variant: null },
    ]);
    expect(two({ model: 'n', strategy: 'cot', variant: null })).toBe('n/cot');
  });
});
