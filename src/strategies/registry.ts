/**
 * Every strategy, registered once. Subcommands, `compare --strategies` and help are generated from this
 * list; nothing else branches on strategy names. Adding a strategy: one file, one line here, one test.
 */
import {
  chainOfThoughtOptions,
  fewShotOptions,
  inContextOptions,
  selfConsistencyOptions,
  type OptionSet,
} from './options.js';
import type { StrategyDefinition, StrategyModule } from './strategy.js';

/** One registry entry, its module checked against its own options. */
const define = <O extends OptionSet>(definition: StrategyDefinition<O> & { load(): Promise<StrategyModule<O>> }) =>
  definition as unknown as StrategyDefinition;

export const strategies: readonly StrategyDefinition[] = [
  define({
    name: 'zero-shot',
    summary: 'the task template alone, one call',
    example: 'promptlab zero-shot "What is the capital of France?"',
    options: {},
    defaultTemperature: 0,
    load: async () => import('./zero-shot.js'),
  }),
  define({
    name: 'few-shot',
    summary: 'k fixed input→output demonstrations before the input',
    example: 'promptlab few-shot --examples fixtures/examples.jsonl --shots 4 -d fixtures/arithmetic.jsonl',
    options: fewShotOptions,
    defaultTemperature: 0,
    load: async () => import('./few-shot.js'),
  }),
  define({
    name: 'in-context',
    summary: 'demonstrations picked per input by similarity from a pool, plus context documents',
    example: 'promptlab in-context --pool fixtures/pool.jsonl --shots 4 -d fixtures/arithmetic.jsonl',
    options: inContextOptions,
    defaultTemperature: 0,
    load: async () => import('./in-context.js'),
  }),
  define({
    name: 'cot',
    summary: 'chain of thought: reason step by step, then extract the answer',
    example: 'promptlab cot -t math "A farmer has 15 sheep and buys 8 more. How many now?"',
    options: chainOfThoughtOptions,
    defaultTemperature: 0,
    load: async () => import('./cot.js'),
  }),
  define({
    name: 'self-consistency',
    summary: 'sample k reasoning paths at temperature > 0 and take the majority answer',
    example: 'promptlab self-consistency --samples 10 -t math -d fixtures/arithmetic.jsonl',
    options: selfConsistencyOptions,
    defaultTemperature: 0.7,
    load: async () => import('./self-consistency.js'),
  }),
];

export function findStrategy(name: string): StrategyDefinition | undefined {
  return strategies.find((strategy) => strategy.name === name);
}

export const strategyNames = (): string[] => strategies.map((strategy) => strategy.name);
