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
}

/** Which match to keep when the text holds several candidates. */
export type Pick = 'first' | 'last';

/** How an answer is compared with `expected`. */
export type MatchMode = 'exact' | 'numeric' | 'normalized';
