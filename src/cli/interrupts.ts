import { setMaxListeners } from 'node:events';

/**
 * Ctrl-C and SIGTERM: the first stops new work and lets requests in flight finish (results are
 * flushed, exit 130); a second aborts what is in flight. Handlers are removed when the run ends.
 */
export interface InterruptWatch {
  /** Aborted on the first signal: hand out no more records. */
  stopSignal: AbortSignal;
  /** Aborted on the second signal, or a few seconds after the first: cancel requests in flight. */
  abortSignal: AbortSignal;
  dispose(): void;
}

export function watchInterrupts(graceMs = 5000): InterruptWatch {
  const stop = new AbortController();
  const abort = new AbortController();
  // Every request in flight listens on the abort signal; hundreds at once are expected, not a leak.
  setMaxListeners(0, abort.signal);
  let timer: NodeJS.Timeout | null = null;
  const onSignal = () => {
    if (stop.signal.aborted) {
      abort.abort();
      return;
    }
    stop.abort();
    timer = setTimeout(() => abort.abort(), graceMs);
    timer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopSignal: stop.signal,
    abortSignal: abort.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (timer !== null) clearTimeout(timer);
    },
  };
}
