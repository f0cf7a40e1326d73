import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fisherExactPValue, mcnemarExactPValue, percentile, wilsonInterval } from '../../src/scoring/statistics.js';

/** The exact two-sided McNemar p-value by big-integer arithmetic, rounded to a double only at the end. */
function exactMcnemar(better: number, worse: number): number {
  const m = better + worse;
  const k = Math.min(better, worse);
  let choose = 1n;
  let tail = 0n;
  for (let i = 0; i <= k; i++) {
    if (i > 0) choose = (choose * BigInt(m - i + 1)) / BigInt(i);
    tail += choose;
  }
  const bits = tail.toString(2).length;
  const shift = Math.max(0, bits - 64);
  const mantissa = Number(tail >> BigInt(shift)) / 2 ** (bits - shift); // in [0.5, 1)
  return Math.min(1, 2 * mantissa * 2 ** (bits - m));
}

describe('wilsonInterval', () => {
  // Expected values computed by hand from the Wilson formula with z = 1.959963984540054.
  it.each([
    [8, 10, 0.4902, 0.9433],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
    [22, 30, 0.5555, 0.8582],
    [1, 2, 0.0945, 0.9055],
    [50, 100, 0.4038, 0.5962],
  ])('%i of %i → [%f, %f]', (correct, n, low, high) => {
    const [actualLow, actualHigh] = wilsonInterval(correct, n);
    expect(actualLow).toBeCloseTo(low, 4);
    expect(actualHigh).toBeCloseTo(high, 4);
  });

  it('is the whole unit interval when nothing was scored', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it('uses the z it is given (z = 1 is narrower than the 95% default)', () => {
    const [low, high] = wilsonInterval(8, 10, 1);
    expect(low).toBeCloseTo(0.6491, 4);
    expect(high).toBeCloseTo(0.8964, 4);
  });

  it('stays inside [0, 1] and contains the observed proportion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const correct = Math.round(share * n);
        const [low, high] = wilsonInterval(correct, n);
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(correct / n + 1e-12);
        expect(high).toBeGreaterThanOrEqual(correct / n - 1e-12);
      }),
    );
  });
});

describe('mcnemarExactPValue', () => {
  it.each([
    [1, 6, 0.125],
    [6, 1, 0.125],
    [0, 5, 0.0625],
    [3, 3, 1],
    [0, 1, 1],
    [1, 2, 1],
    [2, 1, 1],
    [0, 0, 1],
    [2, 8, 0.109375],
    // 2 · Σ_{i ≤ 10} C(35, i) / 2^35 = 2 · 286,454,524 / 34,359,738,368
    [10, 25, 0.01667384780012071],
    [45, 55, 0.36820161732669626],
    [4900, 5100, 0.04658552770494739],
    [400, 601, 2.265073348661045e-10],
    [400, 600, 2.7284641560660184e-10],
    [480, 600, 2.895729029358265e-4],
  ])('better %i, worse %i → %f', (better, worse, expected) => {
    expect(mcnemarExactPValue(better, worse)).toBeCloseTo(expected, 12);
    expect(Math.abs(mcnemarExactPValue(better, worse) - expected) / expected).toBeLessThan(1e-10);
  });

  it('stays exact for 100,000 discordant pairs', () => {
    // 2 · P(X ≤ 49,000), X ~ Bin(100,000, ½), summed exactly with big integers in Python.
    const expected = 2.588716038346898e-10;
    expect(Math.abs(mcnemarExactPValue(49_000, 51_000) - expected) / expected).toBeLessThan(1e-12);
    expect(mcnemarExactPValue(50_000, 50_000)).toBe(1);
    // 1 − P(X = 50,000): the doubled tail stops just short of 1.
    expect(Math.abs(mcnemarExactPValue(49_999, 50_001) - 0.9974768737858033)).toBeLessThan(1e-12);
  });

  it('matches big-integer arithmetic and is symmetric', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 600 }), (better, worse) => {
        const expected = exactMcnemar(better, worse);
        const actual = mcnemarExactPValue(better, worse);
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 1e-11);
        expect(mcnemarExactPValue(worse, better)).toBe(actual);
      }),
    );
  });
});

describe('fisherExactPValue', () => {
  // Expected values from scipy.stats.fisher_exact (two-sided).
  it.each([
    [3, 10, 8, 10, 0.06977851869492736],
    [22, 30, 27, 30, 0.1805804037737829],
    [10, 10, 0, 10, 1.082508822446903e-5],
    [5, 5, 5, 5, 1],
    [700, 1000, 750, 1000, 0.014093391894333672],
    [0, 0, 3, 5, 1],
    [12, 40, 25, 40, 0.006745915282824635],
  ])('%i/%i against %i/%i → %f', (successesA, trialsA, successesB, trialsB, expected) => {
    const actual = fisherExactPValue(successesA, trialsA, successesB, trialsB);
    expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-9);
  });

  it('does not depend on which group comes first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (trialsA, trialsB, shareA, shareB) => {
          const successesA = Math.round(shareA * trialsA);
          const successesB = Math.round(shareB * trialsB);
          const forward = fisherExactPValue(successesA, trialsA, successesB, trialsB);
          const backward = fisherExactPValue(successesB, trialsB, successesA, trialsA);
          expect(forward).toBeGreaterThan(0);
          expect(forward).toBeLessThanOrEqual(1);
          expect(Math.abs(forward - backward)).toBeLessThanOrEqual(forward * 1e-9);
        },
      ),
    );
  });
});

describe('percentile', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // numpy.percentile(range(1, 11), p): rank p/100 · 9, interpolated linearly.
  it.each([
    [0, 1],
    [25, 3.25],
    [50, 5.5],
    [90, 9.1],
    [95, 9.55],
    [100, 10],
  ])('p%f of 1..10 → %f', (p, expected) => {
    expect(percentile(oneToTen, p)).toBeCloseTo(expected, 12);
  });

  it.each([
    [[], 50, 0],
    [[7], 95, 7],
    [[100, 300], 50, 200],
    [[100, 300], 95, 290],
  ])('%j at p%f → %f', (values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 12);
  });

  it('reads typed arrays too', () => {
    expect(percentile(Float64Array.from([10, 20, 30, 40]), 50)).toBe(25);
  });
});
