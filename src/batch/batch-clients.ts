/**
 * The idea that makes batch runs exact: a batch run is the interactive run with a different client.
 * The strategy runs as usual over `withCache(fallback, DIR/responses)`. Answers collected from batch
 * output files are cache hits; on a miss the fallback never calls an endpoint — it captures the request
 * as a batch line (prepare), or reports it failed, waiting for its batch, or not yet prepared (collect).
 * Either way the record's run stops for this phase, and the next phase resumes it from the cache.
 * Pure over the ChatClient and CacheStore interfaces: no I/O of its own.
 */
import { withCache, type CacheStore } from '../core/cached-client.js';
import { zeroUsage, type ChatClient, type ChatRequest } from '../core/chat-client.js';
import type { DatasetRecord, StrategyOutcome } from '../core/records.js';
import { EndpointError, UsageError } from '../errors.js';
import { isRetryableStatus } from '../core/retryable-status.js';
import type { PreparedStrategy } from '../strategies/strategy.js';
import type { BatchFailure } from './batch-output.js';
import { requestIdentity, type ManifestEntry } from './manifest.js';

export type UnansweredReason = 'captured' | 'waiting' | 'unprepared';

/**
 * A request the batch has not answered yet. Not an EndpointError on purpose: the runner and
 * sampleCompletions must not mistake it for a failed call (and fall back, or record an error).
 */
export class UnansweredRequestError extends Error {
  constructor(
    readonly reason: UnansweredReason,
    readonly customId: string,
  ) {
    super(`batch request ${customId} is ${reason}`);
    this.name = 'UnansweredRequestError';
  }
}

/** What is known about batch requests: the manifest (prepared requests by custom_id) and failed lines. */
export interface BatchLedger {
  /** Mutable: prepare adds each request as it captures it, so identical requests are sent once. */
  manifest: Map<string, ManifestEntry>;
  failures: ReadonlyMap<string, BatchFailure>;
}

export interface CapturedRequest {
  entry: ManifestEntry;
  request: ChatRequest;
}

/** What one record's run asked for that the cache could not answer. */
export interface RecordRequests {
  captured: CapturedRequest[];
  waiting: number;
  unprepared: number;
}

export interface FallbackOptions {
  model: string;
  ledger: BatchLedger;
  /** The batch directory as the person named it, for the command a failed request's error suggests. */
  directory: string;
  /** Present in prepare: new requests become batch lines of this phase. */
  capture: { phase: number; strategy: string } | null;
}

function createFallbackClient(options: FallbackOptions, record: DatasetRecord, requests: RecordRequests): ChatClient {
  return {
    model: options.model,
    async embed() {
      throw new UsageError(
        'batch runs send chat completions only: --select embedding needs /v1/embeddings calls; use --select lexical or random',
      );
    },
    async chat(request) {
      const identity = requestIdentity(options.model, request);
      const failure = options.ledger.failures.get(identity.customId);
      if (failure !== undefined) {
        const status = failure.status === null ? '' : ` (${failure.status})`;
        // No `status` on the error: a 400 here must not look like an endpoint that rejects `n`.
        throw new EndpointError(
          `batch request ${identity.customId.slice(0, 12)} failed${status}: ${failure.message}; ${failureAdvice(failure.status, options.directory)}`,
        );
      }
      if (options.ledger.manifest.has(identity.customId)) {
        requests.waiting += 1;
        throw new UnansweredRequestError('waiting', identity.customId);
      }
      if (options.capture === null) {
        requests.unprepared += 1;
        throw new UnansweredRequestError('unprepared', identity.customId);
      }
      const entry: ManifestEntry = {
        ...identity,
        phase: options.capture.phase,
        file: '',
        recordId: record.id,
        strategy: options.capture.strategy,
      };
      options.ledger.manifest.set(identity.customId, entry);
      requests.captured.push({ entry, request });
      throw new UnansweredRequestError('captured', identity.customId);
    },
  };
}

/**
 * What to do about a failed line. A 4xx (but 408, 409 and 429, which are about timing) rejects the
 * request as written — a prompt over the context, a bad parameter, an unknown model — and sending it
 * again fails the same way; anything else may pass on a second try.
 */
function failureAdvice(status: number | null, directory: string): string {
  const rejected = status !== null && status >= 400 && !isRetryableStatus(status);
  if (!rejected) return `"promptlab batch resubmit ${directory}" sends it again`;
  return 'the endpoint rejects the request as written, so resubmitting fails the same way: change what the message names (the record, the template, --max-tokens or --model) and prepare a new batch';
}

/** Counts calls in flight, so a record's run is only over once calls a rejected Promise.all left running are. */
function trackInFlight(client: ChatClient): { client: ChatClient; settled(): Promise<void> } {
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  return {
    client: {
      model: client.model,
      embed: (texts, signal, model) => client.embed(texts, signal, model),
      async chat(request, signal) {
        inFlight += 1;
        try {
          return await client.chat(request, signal);
        } finally {
          inFlight -= 1;
          if (inFlight === 0) for (const wake of waiters.splice(0)) wake();
        }
      },
    },
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}

export interface BatchStrategyOptions extends FallbackOptions {
  store: CacheStore;
  /** Called once per record, after its run and every call it started have settled. */
  onRecordSettled(record: DatasetRecord, requests: RecordRequests): Promise<void>;
}

export interface BatchPreparedStrategy extends PreparedStrategy {
  /**
   * Why the record's run stopped at an unanswered request (then its result is not a result), or null.
   * A record with new requests is `captured`; else one needing the next phase is `unprepared`.
   */
  unansweredReason(record: DatasetRecord): UnansweredReason | null;
}

const unansweredOutcome = (): StrategyOutcome => ({
  answer: null,
  completions: [],
  samplesUsed: 0,
  usage: zeroUsage(),
  requests: 0,
  warnings: [],
});

/**
 * The strategy as the runner sees it in a batch phase: same render, and a run that talks to the cache
 * and the fallback instead of the endpoint. Unanswered records return a placeholder the caller drops
 * (checked with unansweredReason); failures and everything else propagate as in an interactive run.
 */
export function forBatchPhase(prepared: PreparedStrategy, options: BatchStrategyOptions): BatchPreparedStrategy {
  const unanswered = new Map<number, UnansweredReason>();
  return {
    render: (record) => prepared.render(record),
    plan: (record) => prepared.plan(record),
    unansweredReason: (record) => unanswered.get(record.index) ?? null,
    async run(record, context) {
      const requests: RecordRequests = { captured: [], waiting: 0, unprepared: 0 };
      const tracked = trackInFlight(
        withCache(createFallbackClient(options, record, requests), options.store, { replay: false }),
      );
      let failed = false;
      try {
        return await prepared.run(record, { ...context, client: tracked.client });
      } catch (error) {
        // A failed request (or any other error) ends the record as it would interactively.
        failed = !(error instanceof UnansweredRequestError);
        if (failed) throw error;
        return unansweredOutcome();
      } finally {
        // Calls still in flight when the first one was rejected may find more that is unanswered.
        await tracked.settled();
        const reason = reasonOf(requests);
        if (!failed && reason !== null) unanswered.set(record.index, reason);
        requests.captured.sort(
          (left, right) =>
            left.entry.firstSample - right.entry.firstSample || left.entry.customId.localeCompare(right.entry.customId),
        );
        await options.onRecordSettled(record, requests);
      }
    },
  };
}

function reasonOf(requests: RecordRequests): UnansweredReason | null {
  if (requests.captured.length > 0) return 'captured';
  if (requests.unprepared > 0) return 'unprepared';
  return requests.waiting > 0 ? 'waiting' : null;
}
