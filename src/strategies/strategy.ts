/**
 * The one small interface every strategy implements. A strategy is a plain module: it turns a record
 * into chat requests through a ChatClient and returns a StrategyOutcome. It never touches argv, files,
 * TTYs or exit codes (the run layer hands it what it needs through StrategySetup), never retries (the SDK
 * does), and never limits concurrency (the runner does).
 */
import type { AnswerSpec, Pick } from '../core/answer-spec.js';
import type { ChatClient, ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord, StrategyOutcome } from '../core/records.js';
import type { EndpointKnowledge } from '../core/sample-completions.js';
import type { Demonstration } from './demonstrations.js';
import { parseOptions, type OptionSet, type OptionValues } from './options.js';
import type { LoadedTemplate } from '../templates/load-template.js';

export interface StrategyDefinition<O extends OptionSet = OptionSet> {
  name: string;
  /** One line for --help. */
  summary: string;
  /** One example command line for --help. */
  example: string;
  /** The flags it adds to its subcommand (and to `compare`), declared in options.ts so --help loads nothing else. */
  options: O;
  /** Temperature when neither flag, env nor config sets one (greedy for single-sample strategies). */
  defaultTemperature: number;
  /** Loaded only when the command runs, so --help and --version stay fast. */
  load(): Promise<StrategyModule<O>>;
}

/** What a strategy may ask of the outside world while it prepares (file reading stays in src/run). */
export interface StrategySetup {
  template: LoadedTemplate;
  /** Loads another template by name (e.g. the two-stage extraction prompt). */
  loadTemplate(name: string): Promise<LoadedTemplate>;
  /** Reads a JSONL file of demonstrations; errors name the flag and file:line. */
  readDemonstrations(path: string, flag: string): Promise<Demonstration[]>;
  /** Reads a whole text file (context documents); errors name the flag and file. */
  readTextFile(path: string, flag: string): Promise<string>;
  answer: AnswerSpec;
  /** Explicit --pick, if any; strategies choose their own default. */
  pick: Pick | null;
  seed: number | null;
  /** For strategies whose flags only make sense with a dataset of known size. */
  warn(message: string): void;
}

/** Per-run things every call needs; built once by the runner. */
export interface RunContext {
  client: ChatClient;
  temperature: number;
  maxTokens: number | null;
  seed: number | null;
  /** What the run has learned about the endpoint (does it honour `n`?), shared across records. */
  endpoint: EndpointKnowledge;
  signal: AbortSignal;
  warn(message: string): void;
}

/** A request a record costs: its messages, and how many times it goes out. */
export interface PlannedRequest {
  messages: ChatMessage[];
  count: number;
}

export interface PreparedStrategy {
  /** The messages of the first request for a record: what --dry-run prints. */
  render(record: DatasetRecord): Promise<ChatMessage[]>;
  /**
   * Every request a record costs, as far as it is known before any reply (a second call that quotes the
   * first reply is planned without it): what `compare --dry-run` estimates from. An upper bound where
   * the run may spend less (samples an endpoint returns in one request, early stopping).
   */
  plan(record: DatasetRecord): Promise<PlannedRequest[]>;
  run(record: DatasetRecord, context: RunContext): Promise<StrategyOutcome>;
}

export interface StrategyModule<O extends OptionSet = OptionSet> {
  /** Loads what the strategy's options name (parsed by parseOptions) and checks what belongs together. */
  prepare(options: OptionValues<O>, setup: StrategySetup): Promise<PreparedStrategy>;
}

/** Parses the strategy's options from the flags commander collected, and prepares it. */
export async function prepareStrategy(
  definition: StrategyDefinition,
  flagValues: Record<string, unknown>,
  setup: StrategySetup,
): Promise<PreparedStrategy> {
  const options = parseOptions(definition.options, flagValues);
  return (await definition.load()).prepare(options, setup);
}
