/**
 * What a run tells the person running it, as callbacks: the run layer never holds the terminal. The
 * CLI's terminal implements these (stderr, colours, a spinner); tests record them.
 */
export interface RunNotices {
  /** Something worth knowing about the run or a record; shown unless --quiet. */
  warn(message: string): void;
  /** Chatter only a person at a terminal wants. */
  note(message: string): void;
}

/** The endpoint answered 429 (or 503 with a Retry-After): it is throttling the run. */
export type ThrottleListener = (status: number, retryAfterMs: number | null) => void;
