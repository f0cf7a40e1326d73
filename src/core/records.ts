import type { AnswerVia } from './answer-spec.js';
import type { Usage } from './chat-client.js';

/** One input: the template's variables, plus an optional id and expected answer(s). */
export interface DatasetRecord {
  id: string;
  vars: Record<string, unknown>;
  /** A string, or a list of acceptable answers; null when unknown. */
  expected: string | string[] | null;
  /** Where the record came from, for error messages: `data.jsonl:12` or `input`. */
  source: string;
  /** 0-based position in the dataset, so whole-document output can keep input order. */
  index: number;
}

export interface Completion {
  text: string;
  /** The extracted answer (typed answers in canonical form); null when extraction failed. */
  answer: string | null;
  /** How the answer was found (JSON field, answer phrase, \boxed{}, the fallback rule); null when it was not. */
  via: AnswerVia | null;
  finishReason: string | null;
  /** Two-stage extraction only: what the second (answer-extraction) call returned. */
  answerStep?: string;
}

/** What a strategy returns for one record; the runner adds identity, timing, scoring and errors. */
export interface StrategyOutcome {
  answer: string | null;
  completions: Completion[];
  /** Self-consistency only: answer → count, and top votes / valid votes. */
  votes?: Record<string, number>;
  agreement?: number | null;
  samplesUsed: number;
  usage: Usage;
  /** True when the endpoint under-counted usage and `usage` is an estimate (see choice-usage.ts). */
  usageEstimated?: boolean;
  requests: number;
  /** Things the user should know about this record (identical samples, truncation, ties). */
  warnings: string[];
  /** Extra strategy-specific fields (e.g. the demonstrations chosen), copied into the result. */
  details?: Record<string, unknown>;
}

export const resultSchemaId = 'promptlab.result/v1';
/** A strategy's `--json` document: the run, its summary and its results. */
export const runSchemaId = 'promptlab.run/v1';
/** A summary line (`compare --format jsonl`, `score --jsonl`) or document (`score --json`). */
export const summarySchemaId = 'promptlab.summary/v1';

/** One line of `--jsonl` / one element of `--json`. Field names are a contract (README, "Inputs and outputs"). */
export interface ResultRecord {
  schema: typeof resultSchemaId;
  id: string;
  strategy: string;
  /** The model as the run names it (`ENDPOINT:MODEL` for a named endpoint's). */
  model: string;
  /** The strategy variant's name (eval files); null for the strategy with its one setting. */
  variant: string | null;
  template: string;
  vars: Record<string, unknown>;
  answer: string | null;
  expected: string | string[] | null;
  correct: boolean | null;
  completions: Completion[];
  votes?: Record<string, number>;
  agreement?: number | null;
  samplesUsed: number;
  usage: Usage;
  /** Present (true) only when `usage` is an estimate: the endpoint counted fewer tokens than its choices hold. */
  usageEstimated?: true;
  requests: number;
  latencyMs: number;
  error: string | null;
  warnings: string[];
  [extra: string]: unknown;
}
