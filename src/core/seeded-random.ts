/** Small deterministic PRNG (mulberry32) so `--seed` makes demonstration order and selection reproducible. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a stable 32-bit hash of a string (for per-record seeds). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other]!, result[index]!];
  }
  return result;
}

/**
 * The seed sent with sample i when samples go out as separate requests: separate requests must never
 * share one seed, or a seeded server returns the same path K times.
 */
export function sampleSeed(seed: number | null, sampleIndex: number): number | undefined {
  if (seed === null) return undefined;
  return sampleIndex === 0 ? seed : hashString(`${seed}:${sampleIndex}`) & 0x7fffffff;
}
