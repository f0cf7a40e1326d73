/**
 * Counts the HTTP requests one record's calls made, failed calls included, so an errored record reports
 * what it cost (`requests`) and a run's totals match what the endpoint saw. A ChatClient decorator: the
 * runner puts a fresh one around the client for each record.
 */
import { EndpointError } from '../errors.js';
import type { ChatClient } from './chat-client.js';

export interface RequestTally {
  client: ChatClient;
  /** Requests made so far by calls that have finished. */
  total(): number;
  /** Waits for calls still in flight (a failed sample's siblings) so `total` is complete. */
  settled(): Promise<void>;
}

export function tallyRequests(inner: ChatClient): RequestTally {
  let total = 0;
  const pending = new Set<Promise<unknown>>();

  function track<T extends { requests: number }>(call: Promise<T>): Promise<T> {
    const counted = call.then(
      (value) => {
        total += value.requests;
        return value;
      },
      (error: unknown) => {
        if (error instanceof EndpointError) total += error.requests ?? 0;
        throw error;
      },
    );
    const settled = counted.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return counted;
  }

  return {
    client: {
      model: inner.model,
      chat: (request, signal) => track(inner.chat(request, signal)),
      embed: (texts, signal, model) => track(inner.embed(texts, signal, model)),
    },
    total: () => total,
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
