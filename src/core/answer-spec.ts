import type { NormalizeStep } from './normalize-steps.js';

/** How an answer is pulled out of a completion and put in canonical form for voting and scoring. */
export type AnswerType = 'number' | 'choice' | 'yesno' | 'text' | 'regex';

export interface AnswerSpec {
  type: AnswerType;
  /** For `regex`: the pattern; the first capture group (or the whole match) is the answer. */
  pattern?: string | undefined;
  /** For `choice`: allowed letters, default A–E. */
  choices?: string[] | undefined;
  /**
   * Keep answers as extracted (the papers' cleaning: `5.0` stays `5.0`) instead of in canonical form.
   * Set by `--match exact`, so live runs score the way published results were scored.
   */
  asExtracted?: boolean | undefined;
  /** For `text` and `regex`: the task's own rule (`--normalize`), applied in order after the type's default. */
  normalize?: NormalizeStep[] | undefined;
  /**
   * `flexible` (the default) falls back to the type's own rule (the last number, ...) when the completion
   * states no answer; `strict` accepts only a stated one: a JSON answer field, an answer phrase, `\boxed{}`.
   */
  extractMode?: ExtractMode | undefined;
  /** No answer type was given (by flag or template): the reply itself is the answer, nothing is guessed. */
  defaulted?: boolean | undefined;
}

export type ExtractMode = 'strict' | 'flexible';

/**
 * How a completion's answer was found: a JSON object's answer field, an answer phrase ("the answer is",
 * "Answer:", "####", `<answer>`, or a regex answer's own pattern), a `\boxed{}`, or the type's fallback
 * rule over the whole text. Null when no answer was found.
 */
export type AnswerVia = 'json' | 'phrase' | 'boxed' | 'fallback';

/** Which match to keep when the text holds several candidates. */
export type Pick = 'first' | 'last';

/** How an answer is compared with `expected`. */
export type MatchMode = 'exact' | 'numeric' | 'normalized';
