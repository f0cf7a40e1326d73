/**
 * The one small interface every strategy implements. A strategy is a plain module: it turns a record
 * into chat requests through a ChatClient and returns a StrategyOutcome. It never touches argv, files,
 * TTYs or exit codes (the CLI hands it what it needs through StrategySetup), never retries (the SDK
 * does), and never limits concurrency (the runner does).
 */
import type { AnswerSpec, Pick } from '../core/answer-spec.js';
import type { ChatClient, ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord, StrategyOutcome } from '../core/records.js';
import type { EndpointKnowledge } from '../core/sample-completions.js';
import type { Demonstration } from './demonstrations.js';
import type { LoadedTemplate } from '../templates/load-template.js';

/** A flag a strategy adds to its subcommand (and to `compare`). Declared statically so --help loads nothing. */
export interface StrategyFlag {
  /** Commander flag syntax, e.g. `--shots <k>`. */
  flags: string;
  description: string;
  defaultValue?: string;
  /** Collect repeated uses into a list (e.g. --context). */
  repeatable?: boolean;
}

export interface StrategyDefinition {
  name: string;
  /** One line for --help. */
  summary: string;
  /** One example command line for --help. */
  example: string;
  flags: StrategyFlag[];
  /** Temperature when neither flag, env nor config sets one (greedy for single-sample strategies). */
  defaultTemperature: number;
  /** Loaded only when the command runs, so --help and --version stay fast. */
  load(): Promise<StrategyModule>;
}

/** What a strategy may ask of the outside world while it prepares (file reading stays in the CLI). */
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

export interface PreparedStrategy {
  /** The messages of the first request for a record: what --dry-run prints. */
  render(record: DatasetRecord): Promise<ChatMessage[]>;
  run(record: DatasetRecord, context: RunContext): Promise<StrategyOutcome>;
}

export interface StrategyModule {
  /** Validates the strategy's own flag values (raw, as commander parsed them) and loads what they name. */
  prepare(flagValues: Record<string, unknown>, setup: StrategySetup): Promise<PreparedStrategy>;
}
