import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { addStrategyOptions } from '../../src/cli/common-options.js';
import {
  attributeName,
  defaultHelp,
  parseOptions,
  selfConsistencyOptions,
  stoppingOptions,
  stopRule,
} from '../../src/strategies/options.js';
import { strategies } from '../../src/strategies/registry.js';

describe('strategy options', () => {
  it('are keyed by the name commander gives their value, so a flag reaches its parser', () => {
    for (const strategy of strategies)
      for (const [name, option] of Object.entries(strategy.options)) expect(name).toBe(attributeName(option.flags));
  });

  it('parse a flag the same way in every strategy that takes it', () => {
    const parsers = new Map<string, unknown>();
    for (const strategy of strategies)
      for (const option of Object.values(strategy.options)) {
        const seen = parsers.get(option.flags);
        if (seen !== undefined) expect(option.parse, `${strategy.name} ${option.flags}`).toBe(seen);
        parsers.set(option.flags, option.parse);
      }
    expect(parsers.size).toBeGreaterThan(10);
  });

  it('apply their defaults and parse what was given, once', () => {
    expect(parseOptions(selfConsistencyOptions, {})).toEqual({
      trigger: undefined,
      examples: undefined,
      shots: undefined,
      extract: 'pattern',
      demoFormat: 'turns',
      samples: 5,
      stop: 'fixed',
      window: 5,
      confidence: 0.95,
    });
    expect(parseOptions(selfConsistencyOptions, { samples: '10', stop: 'beta', confidence: '0.9' })).toMatchObject({
      samples: 10,
      stop: 'beta',
      confidence: 0.9,
    });
  });

  it.each([
    [{ samples: '0' }, '--samples must be a positive integer, got "0"'],
    [{ stop: 'never' }, '--stop must be one of fixed, esc, beta, got "never"'],
    [{ confidence: '1' }, '--confidence must be a number strictly between 0.5 and 1, got "1"'],
    [{ demoFormat: 'table' }, '--demo-format must be one of turns, inline, got "table"'],
  ])('refuse %j naming the flag', (flags, message) => {
    expect(() => parseOptions(selfConsistencyOptions, flags)).toThrow(new UsageError(message));
  });

  it.each([
    [{ stop: 'fixed', window: 5, confidence: 0.95 }, { kind: 'fixed' }],
    [
      { stop: 'esc', window: 3, confidence: 0.95 },
      { kind: 'esc', window: 3 },
    ],
    [
      { stop: 'beta', window: 5, confidence: 0.9 },
      { kind: 'beta', confidence: 0.9 },
    ],
  ] as const)('stopRule(%j) → %j', (values, rule) => {
    expect(stopRule(values)).toEqual(rule);
  });

  it('show their declared default in help', () => {
    expect(defaultHelp(stoppingOptions.window)).toBe('5');
    expect(defaultHelp(selfConsistencyOptions.trigger)).toBe("Let's think step by step.");
    expect(defaultHelp(selfConsistencyOptions.examples)).toBeUndefined();
  });

  it('give compare each flag once, tagged with the strategy that declared it first', () => {
    const command = new Command('compare');
    addStrategyOptions(command, strategies);
    const flags = command.options.map((option) => option.flags);
    expect(new Set(flags).size).toBe(flags.length);
    expect(command.options.find((option) => option.long === '--shots')?.description).toBe(
      "how many demonstrations [few-shot] (default: 4, or all of the template's)",
    );
  });
});
