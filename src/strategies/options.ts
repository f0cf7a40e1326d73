/**
 * Every strategy option, declared once: its flag, its help, its default and its parser. The registry hands
 * the declarations to commander (a strategy's subcommand, `compare`, `batch prepare`; `score` takes the
 * stopping options), and parseOptions turns what commander collected into the typed values a strategy's
 * `prepare` receives. A strategy never reads a raw flag or writes a default of its own.
 */
import { nonNegativeInteger, numberInRange, oneOf, positiveInteger } from '../config/flag-values.js';
import type { StopRule } from '../core/early-stopping.js';

export interface StrategyOption<T, D extends T | undefined = T | undefined> {
  /** Commander syntax, e.g. `--shots <k>`. */
  flags: string;
  description: string;
  /** The value when the flag is not given (undefined: not set). */
  defaultValue: D;
  /** What help says the default is, when the value does not say it (a built-in text, another flag). */
  defaultHelp?: string;
  /** Collect repeated uses into a list (e.g. --context). */
  repeatable?: boolean;
  /**
   * The value names a file (files, when repeatable) the strategy reads: a run is told apart by the file's
   * content, not its name, and an eval file's is relative to the eval file's folder.
   */
  file?: true;
  /** False for an option that changes neither what is sent nor how it is scored (a confirmation): not in a run's fingerprint. */
  changesResults?: false;
  /** Turns the flag's value into T; a value it cannot use is a UsageError naming `flag`. */
  parse(raw: unknown, flag: string): T;
}

// biome-ignore lint/suspicious/noExplicitAny: a set of options of any value types, narrowed by OptionValues.
export type OptionSet = Record<string, StrategyOption<any, any>>;

/** The parsed values of a set of options: an option without a default may be undefined. */
export type OptionValues<O extends OptionSet> = {
  [K in keyof O]: O[K] extends StrategyOption<infer T, infer D> ? (undefined extends D ? T | undefined : T) : never;
};

/** The long flag of a declaration, as messages name it: `--shots <k>` → `--shots`. */
export const longFlag = (flags: string): string => flags.split(/[ ,]+/).find((part) => part.startsWith('--'))!;

/** Commander's name for the value of a flag: `--demo-format <form>` → `demoFormat`. */
export const attributeName = (flags: string): string =>
  longFlag(flags)
    .slice(2)
    .replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Each option's value: parsed from what commander collected, or its default. */
export function parseOptions<O extends OptionSet>(options: O, flagValues: Record<string, unknown>): OptionValues<O> {
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(options)) {
    const raw = flagValues[name];
    values[name] = raw === undefined ? option.defaultValue : option.parse(raw, longFlag(option.flags));
  }
  return values as OptionValues<O>;
}

/** What help shows as an option's default; undefined when it has none worth showing. */
export function defaultHelp(option: StrategyOption<unknown>): string | undefined {
  if (option.defaultHelp !== undefined) return option.defaultHelp;
  if (option.defaultValue === undefined || Array.isArray(option.defaultValue)) return undefined;
  return String(option.defaultValue);
}

const text = (raw: unknown): string => String(raw);
const list = (raw: unknown): string[] => (Array.isArray(raw) ? raw.map(String) : [String(raw)]);

// ---------------------------------------------------------------------------------------------------
// The declarations.
// ---------------------------------------------------------------------------------------------------

const demoFormat: StrategyOption<'turns' | 'inline', 'turns'> = {
  flags: '--demo-format <form>',
  description: 'turns (prior user/assistant turns) | inline (Q: … A: … in one message)',
  defaultValue: 'turns',
  parse: (raw, flag) => oneOf(raw, flag, ['turns', 'inline'] as const),
};

const shots = <D extends number | undefined>(description: string, defaultValue: D, help?: string) =>
  ({
    flags: '--shots <k>',
    description,
    defaultValue,
    ...(help !== undefined && { defaultHelp: help }),
    // 0 is a setting of its own: the same strategy without demonstrations (what `tune --shots 0,…` compares).
    parse: nonNegativeInteger,
  }) satisfies StrategyOption<number, D>;

/** --examples: few-shot and chain of thought read the same file the same way; only what help says differs. */
const examples = (description: string) =>
  ({
    flags: '--examples <file>',
    description,
    defaultValue: undefined,
    file: true,
    parse: text,
  }) satisfies StrategyOption<string, undefined>;

/** few-shot's --shots when neither the flag nor the template's own demonstrations say how many. */
export const defaultFewShots = 4;

export const fewShotOptions = {
  examples: examples("JSONL demonstrations {input, output} (default: the template's demonstrations)"),
  shots: shots('how many demonstrations', undefined, `${defaultFewShots}, or all of the template's`),
  order: {
    flags: '--order <order>',
    description: 'which demonstrations: first | random (seeded by --seed)',
    defaultValue: 'first',
    parse: (raw, flag) => oneOf(raw, flag, ['first', 'random'] as const),
  } satisfies StrategyOption<'first' | 'random', 'first'>,
  demoFormat,
};

export const inContextOptions = {
  pool: {
    flags: '--pool <file>',
    description: 'JSONL pool of demonstrations {input, output}',
    defaultValue: undefined,
    file: true,
    parse: text,
  } satisfies StrategyOption<string, undefined>,
  shots: shots('how many demonstrations per input', 4),
  select: {
    flags: '--select <how>',
    description: 'lexical (BM25, offline) | embedding (/v1/embeddings) | random',
    defaultValue: 'lexical',
    parse: (raw, flag) => oneOf(raw, flag, ['lexical', 'embedding', 'random'] as const),
  } satisfies StrategyOption<'lexical' | 'embedding' | 'random', 'lexical'>,
  context: {
    flags: '--context <file>',
    description: 'a context document to include (repeatable)',
    defaultValue: [],
    repeatable: true,
    file: true,
    parse: list,
  } satisfies StrategyOption<string[], string[]>,
  embeddingModel: {
    flags: '--embedding-model <name>',
    description: 'model for --select embedding (default: --model)',
    defaultValue: undefined,
    parse: text,
  } satisfies StrategyOption<string, undefined>,
  demoFormat,
};

export const defaultTrigger = "Let's think step by step.";

export const chainOfThoughtOptions = {
  trigger: {
    flags: '--trigger <text>',
    description: 'reasoning trigger appended to the question',
    // Unset, the template's own trigger (front matter) comes first, then this.
    defaultValue: undefined,
    defaultHelp: defaultTrigger,
    parse: text,
  } satisfies StrategyOption<string, undefined>,
  examples: examples('JSONL demonstrations {input, output, reasoning} for few-shot chain of thought'),
  shots: shots('how many demonstrations to use', undefined, 'all in --examples'),
  extract: {
    flags: '--extract <how>',
    description: 'answer extraction: pattern | two-stage (a second call, Kojima et al. 2022)',
    defaultValue: 'pattern',
    parse: (raw, flag) => oneOf(raw, flag, ['pattern', 'two-stage'] as const),
  } satisfies StrategyOption<'pattern' | 'two-stage', 'pattern'>,
  demoFormat,
};

/** When self-consistency stops sampling; `score` replays the same rules over recorded samples. */
export const stoppingOptions = {
  stop: {
    flags: '--stop <rule>',
    description: 'fixed | esc (stop when a window is unanimous) | beta (stop when the leader is confidently ahead)',
    defaultValue: 'fixed',
    parse: (raw, flag) => oneOf(raw, flag, ['fixed', 'esc', 'beta'] as const),
  } satisfies StrategyOption<'fixed' | 'esc' | 'beta', 'fixed'>,
  window: {
    flags: '--window <w>',
    description: 'samples per request window for --stop esc|beta',
    defaultValue: 5,
    parse: positiveInteger,
  } satisfies StrategyOption<number, number>,
  confidence: {
    flags: '--confidence <p>',
    description: 'posterior confidence for --stop beta',
    defaultValue: 0.95,
    parse: (raw, flag) => numberInRange(raw, flag, 0.5, 1, '()'),
  } satisfies StrategyOption<number, number>,
};

/**
 * More samples per record than this is refused without --yes: a slip (`--samples 100000`) would pay for
 * that many completions on every record. The papers use 5–40; ESC and Adaptive-Consistency cap at 40–100.
 */
export const samplesWithoutConfirmation = 1000;

export const selfConsistencyOptions = {
  ...chainOfThoughtOptions,
  samples: {
    flags: '--samples <k>',
    description: 'reasoning paths to sample (the cap with --stop)',
    defaultValue: 5,
    parse: positiveInteger,
  } satisfies StrategyOption<number, number>,
  yes: {
    flags: '--yes',
    description: `confirm --samples above ${samplesWithoutConfirmation} per record`,
    defaultValue: undefined,
    changesResults: false,
    parse: () => true,
  } satisfies StrategyOption<true, undefined>,
  ...stoppingOptions,
};

/** The stopping rule the options describe (self-consistency here, `score --stop` over recordings). */
export function stopRule({ stop, window, confidence }: OptionValues<typeof stoppingOptions>): StopRule {
  if (stop === 'esc') return { kind: stop, window };
  if (stop === 'beta') return { kind: stop, confidence };
  return { kind: stop };
}
