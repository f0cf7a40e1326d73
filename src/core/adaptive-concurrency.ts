/**
 * Adaptive concurrency under throttling, as promptfoo does it: additive increase, multiplicative decrease
 * (the rule TCP uses for congestion). Repeated 429s halve the number of requests in flight, down to one;
 * each window of successes adds one back, up to `-c`. The controller is a pure function over plain state; the
 * shell (`adaptConcurrency`) feeds it the client's events and moves the Semaphore's limit.
 */
import type { ChatClient } from './chat-client.js';
import type { Semaphore } from './limit-concurrency.js';

export interface ConcurrencyPolicy {
  /** Throttled responses since the limit last moved that make it shrink: one 429 alone is weather. */
  throttlesToShrink: number;
  /**
   * The limit grows by one after as many successes as it allows in flight (one full window, as TCP's
   * congestion avoidance does), and never after fewer than this.
   */
  minSuccessesToGrow: number;
}

export const defaultConcurrencyPolicy: ConcurrencyPolicy = { throttlesToShrink: 2, minSuccessesToGrow: 4 };

export interface ConcurrencyState {
  /** Requests allowed in flight now. */
  limit: number;
  /** The ceiling: what `-c` asked for. */
  max: number;
  /** The lowest the limit has been this run (the report shows it). */
  lowest: number;
  /** Throttled responses seen this run (429s, and 503s that ask to wait). */
  throttled: number;
  /** Throttled responses since the limit last moved. */
  throttlesSinceChange: number;
  /** Successes since the limit last moved. */
  successesSinceChange: number;
  /**
   * Responses still to come back from requests sent under the limit before the last shrink. They say
   * nothing about the new limit: their 429s must not halve it again (one burst would otherwise drive it
   * to 1), and their successes must not grow it back at once.
   */
  cooldown: number;
}

export type ConcurrencyEvent = 'throttled' | 'succeeded';

export function initialConcurrency(max: number): ConcurrencyState {
  const limit = Math.max(1, Math.floor(max));
  return {
    limit,
    max: limit,
    lowest: limit,
    throttled: 0,
    throttlesSinceChange: 0,
    successesSinceChange: 0,
    cooldown: 0,
  };
}

export function nextConcurrency(
  state: ConcurrencyState,
  event: ConcurrencyEvent,
  policy: ConcurrencyPolicy = defaultConcurrencyPolicy,
): ConcurrencyState {
  const cooldown = Math.max(0, state.cooldown - 1);
  if (event === 'throttled') {
    const throttlesSinceChange = state.throttlesSinceChange + 1;
    const base = { ...state, throttled: state.throttled + 1, cooldown };
    if (state.cooldown > 0) return base;
    if (throttlesSinceChange < policy.throttlesToShrink || state.limit === 1) return { ...base, throttlesSinceChange };
    const limit = Math.max(1, Math.floor(state.limit / 2));
    return {
      ...base,
      limit,
      lowest: Math.min(state.lowest, limit),
      throttlesSinceChange: 0,
      successesSinceChange: 0,
      cooldown: state.limit,
    };
  }
  if (state.cooldown > 0) return { ...state, cooldown };
  const successesSinceChange = state.successesSinceChange + 1;
  const successesToGrow = Math.max(policy.minSuccessesToGrow, state.limit);
  if (successesSinceChange < successesToGrow || state.limit >= state.max)
    return { ...state, successesSinceChange, cooldown };
  return { ...state, limit: state.limit + 1, successesSinceChange: 0, throttlesSinceChange: 0, cooldown };
}

/** What the run's report says about throttling. */
export interface ThrottleReport {
  /** Throttled responses (429, or 503 with Retry-After) seen. */
  throttled: number;
  /** The lowest in-flight limit the run went down to. */
  minConcurrency: number;
}

export interface AdaptiveConcurrency {
  throttled(): void;
  succeeded(): void;
  report(): ThrottleReport;
}

/** Keeps the semaphore's limit where the controller says. */
export function adaptConcurrency(
  semaphore: Semaphore,
  policy: ConcurrencyPolicy = defaultConcurrencyPolicy,
): AdaptiveConcurrency {
  let state = initialConcurrency(semaphore.limit);
  const apply = (event: ConcurrencyEvent) => {
    const next = nextConcurrency(state, event, policy);
    if (next.limit !== state.limit) semaphore.setLimit(next.limit);
    state = next;
  };
  return {
    throttled: () => apply('throttled'),
    succeeded: () => apply('succeeded'),
    report: () => ({ throttled: state.throttled, minConcurrency: state.lowest }),
  };
}

/** A ChatClient decorator that tells `onSuccess` about every call that came back with an answer. */
export function observeSuccesses(client: ChatClient, onSuccess: () => void): ChatClient {
  return {
    model: client.model,
    async chat(request, signal) {
      const response = await client.chat(request, signal);
      onSuccess();
      return response;
    },
    async embed(texts, signal, model) {
      const result = await client.embed(texts, signal, model);
      onSuccess();
      return result;
    },
  };
}
