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

export const interruptGraceMs = 5000;

/** `onStop` hears the first signal, so the person who pressed Ctrl-C learns what happens next. */
export function watchInterrupts(
  onStop: (signal: NodeJS.Signals, graceMs: number) => void = () => undefined,
  graceMs = interruptGraceMs,
): InterruptWatch {
  const stop = new AbortController();
  const abort = new AbortController();
  // Every request in flight listens on the abort signal; hundreds at once are expected, not a leak.
  setMaxListeners(0, abort.signal);
  let timer: NodeJS.Timeout | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      abort.abort();
      return;
    }
    stop.abort();
    onStop(signal, graceMs);
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

export function stoppingMessage(signal: NodeJS.Signals, graceMs: number): string {
  const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
  return `${signal}: stopping; no new records, requests in flight get ${Math.round(graceMs / 1000)} s to finish (${again} aborts them)`;
}
