/**
 * Hands on what arrives out of order in the order of its index (0, 1, 2, ...): a record that finishes
 * early waits for those before it. `flush` hands on whatever waits, in order, when no more will come.
 */
export interface InOrder<T> {
  add(index: number, item: T): void;
  flush(): void;
}

export function createInOrder<T>(handOn: (item: T) => void): InOrder<T> {
  const waiting = new Map<number, T>();
  let next = 0;
  return {
    add(index, item) {
      waiting.set(index, item);
      while (waiting.has(next)) {
        handOn(waiting.get(next)!);
        waiting.delete(next);
        next++;
      }
    },
    flush() {
      for (const index of [...waiting.keys()].sort((left, right) => left - right)) handOn(waiting.get(index)!);
      waiting.clear();
    },
  };
}
