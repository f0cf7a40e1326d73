/**
 * Every strategy, registered once. Subcommands, `compare --strategies` and help are generated from this
 * list; nothing else branches on strategy names. Adding a strategy: one file, one line here, one test.
 */
import type { StrategyDefinition, StrategyFlag } from './strategy.js';

const chainOfThoughtFlags: StrategyFlag[] = [
  {
    flags: '--trigger <text>',
    description: 'reasoning trigger appended to the question',
    defaultValue: "Let's think step by step.",
  },
  {
    flags: '--examples <file>',
    description: 'JSONL demonstrations {input, output, reasoning} for few-shot chain of thought',
  },
  { flags: '--shots <k>', description: 'how many demonstrations to use (default: all in --examples)' },
  {
    flags: '--extract <how>',
    description: 'answer extraction: pattern | two-stage (a second call, Kojima et al. 2022)',
    defaultValue: 'pattern',
  },
];

export const strategies: readonly StrategyDefinition[] = [
  {
    name: 'zero-shot',
    summary: 'the task template alone, one call',
    example: 'promptlab zero-shot "What is the capital of France?"',
    flags: [],
    defaultTemperature: 0,
    load: async () => import('./zero-shot.js'),
  },
  {
    name: 'few-shot',
    summary: 'k fixed input→output demonstrations before the input',
    example: 'promptlab few-shot --examples fixtures/examples.jsonl --shots 4 -d fixtures/arithmetic.jsonl',
    flags: [
      { flags: '--examples <file>', description: 'JSONL demonstrations {input, output}' },
      { flags: '--shots <k>', description: 'how many demonstrations', defaultValue: '4' },
      {
        flags: '--order <order>',
        description: 'which demonstrations: first | random (seeded by --seed)',
        defaultValue: 'first',
      },
      {
        flags: '--demo-format <form>',
        description: 'turns (prior user/assistant turns) | inline (Q: … A: … in one message)',
        defaultValue: 'turns',
      },
    ],
    defaultTemperature: 0,
    load: async () => import('./few-shot.js'),
  },
  {
    name: 'in-context',
    summary: 'demonstrations picked per input by similarity from a pool, plus context documents',
    example: 'promptlab in-context --pool fixtures/pool.jsonl --shots 4 -d fixtures/arithmetic.jsonl',
    flags: [
      { flags: '--pool <file>', description: 'JSONL pool of demonstrations {input, output}' },
      { flags: '--shots <k>', description: 'how many demonstrations per input', defaultValue: '4' },
      {
        flags: '--select <how>',
        description: 'lexical (BM25, offline) | embedding (/v1/embeddings) | random',
        defaultValue: 'lexical',
      },
      { flags: '--context <file>', description: 'a context document to include (repeatable)', repeatable: true },
      { flags: '--embedding-model <name>', description: 'model for --select embedding (default: --model)' },
      {
        flags: '--demo-format <form>',
        description: 'turns (prior user/assistant turns) | inline (Q: … A: … in one message)',
        defaultValue: 'turns',
      },
    ],
    defaultTemperature: 0,
    load: async () => import('./in-context.js'),
  },
  {
    name: 'cot',
    summary: 'chain of thought: reason step by step, then extract the answer',
    example: 'promptlab cot -t math "A farmer has 15 sheep and buys 8 more. How many now?"',
    flags: chainOfThoughtFlags,
    defaultTemperature: 0,
    load: async () => import('./cot.js'),
  },
  {
    name: 'self-consistency',
    summary: 'sample k reasoning paths at temperature > 0 and take the majority answer',
    example: 'promptlab self-consistency --samples 10 -t math -d fixtures/arithmetic.jsonl',
    flags: [
      ...chainOfThoughtFlags,
      { flags: '--samples <k>', description: 'reasoning paths to sample (the cap with --stop)', defaultValue: '5' },
      {
        flags: '--stop <rule>',
        description: 'fixed | esc (stop when a window is unanimous) | beta (stop when the leader is confidently ahead)',
        defaultValue: 'fixed',
      },
      { flags: '--window <w>', description: 'samples per request window for --stop esc|beta', defaultValue: '5' },
      { flags: '--confidence <p>', description: 'posterior confidence for --stop beta', defaultValue: '0.95' },
    ],
    defaultTemperature: 0.7,
    load: async () => import('./self-consistency.js'),
  },
];

export function findStrategy(name: string): StrategyDefinition | undefined {
  return strategies.find((strategy) => strategy.name === name);
}

export const strategyNames = (): string[] => strategies.map((strategy) => strategy.name);
