/**
 * Typed errors. Only the CLI entry point turns them into exit codes (`reportError` in src/cli/main.ts, by `exitCodes`).
 * Every message is one line meant for a user: it names the flag, the file:line or the variable at fault.
 */
export type ErrorCode = 'usage' | 'input' | 'template' | 'config' | 'endpoint' | 'gate' | 'interrupted';

export class PromptlabError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PromptlabError';
    this.code = code;
  }
}

/** A bad flag or flag value. Exit 2. */
export class UsageError extends PromptlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
    this.name = 'UsageError';
  }
}

/** An unreadable or malformed input file or record. Exit 2. */
export class InputError extends PromptlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('input', message, options);
    this.name = 'InputError';
  }
}

/** A template that cannot be found, parsed or rendered (missing variables). Exit 2. */
export class TemplateError extends PromptlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('template', message, options);
    this.name = 'TemplateError';
  }
}

/** A config file that cannot be read or does not validate. Exit 2. */
export class ConfigError extends PromptlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
    this.name = 'ConfigError';
  }
}

/**
 * The endpoint failed: unreachable, auth refused, retries exhausted, or an answer we cannot use.
 * `status` is the HTTP status when there was one. Exit 3 when it ends the run.
 */
export class EndpointError extends PromptlabError {
  readonly status: number | undefined;
  /** True when retrying this call elsewhere cannot help (auth refused, unreachable). */
  readonly fatal: boolean;
  /** HTTP requests the failed call made, retries included, when known: an errored record still reports what it cost. */
  readonly requests: number | undefined;
  /** The server's own words, when it said something (already redacted): what a caller may read a limit from. */
  readonly serverSaid: string | undefined;
  constructor(
    message: string,
    options: { status?: number; fatal?: boolean; requests?: number; serverSaid?: string; cause?: unknown } = {},
  ) {
    super('endpoint', message, { cause: options.cause });
    this.name = 'EndpointError';
    this.status = options.status;
    this.fatal = options.fatal ?? false;
    this.requests = options.requests;
    this.serverSaid = options.serverSaid;
  }
}

/** The run finished but a gate failed (--fail-under, --baseline, --max-errors). Exit 4. */
export class GateError extends PromptlabError {
  /** The other gates that failed, one line each, printed before the message. */
  readonly more: readonly string[];
  constructor(message: string, options: { more?: readonly string[] } = {}) {
    super('gate', message);
    this.name = 'GateError';
    this.more = options.more ?? [];
  }
}

/** SIGINT/SIGTERM: finished results were flushed. Exit 130. */
export class InterruptedError extends PromptlabError {
  constructor(message: string) {
    super('interrupted', message);
    this.name = 'InterruptedError';
  }
}

export const exitCodes: Record<ErrorCode, number> = {
  usage: 2,
  input: 2,
  template: 2,
  config: 2,
  endpoint: 3,
  gate: 4,
  interrupted: 130,
};
