import { describe, expect, it } from 'vitest';
import { betaConfidence, shouldStop, stoppingPoint, type StopRule } from '../../src/core/early-stopping.js';

describe('betaConfidence = P(p > 0.5), p ~ Beta(a + 1, b + 1)', () => {
  // Hand-computed: P(Binomial(a + b + 1, 1/2) ≤ a).
  it.each([
    [0, 0, 1 / 2],
    [1, 0, 3 / 4],
    [2, 0, 7 / 8],
    [4, 0, 31 / 32],
    [1, 1, 1 / 2],
    [2, 1, 11 / 16],
    [3, 1, 26 / 32],
    [0, 1, 1 / 4],
    [3, 2, 42 / 64],
    [5, 0, 63 / 64],
    [5, 3, 191 / 256],
    [2.7, 1.2, 11 / 16],
    [-1, 0, 1 / 2],
    [Number.NaN, 0, 1 / 2],
  ])('a=%d b=%d → %d', (a, b, expected) => expect(betaConfidence(a, b)).toBeCloseTo(expected, 12));

  it.each([
    [600, 500, 0.99872], // normal approximation: z = 99.5 / sqrt(1101 / 4) ≈ 3.0
    [100, 100, 0.5],
    [1000, 0, 1],
    [0, 1000, 0],
  ])('stays accurate for many votes: a=%d b=%d → %d', (a, b, expected) =>
    expect(betaConfidence(a, b)).toBeCloseTo(expected, 4),
  );

  it('is symmetric: P(p > 0.5 | a, b) + P(p > 0.5 | b, a) = 1', () =>
    expect(betaConfidence(7, 3) + betaConfidence(3, 7)).toBeCloseTo(1, 12));
});

const fixed: StopRule = { kind: 'fixed' };
const esc2: StopRule = { kind: 'esc', window: 2 };
const esc3: StopRule = { kind: 'esc', window: 3 };
const beta95: StopRule = { kind: 'beta', confidence: 0.95 };
const beta70: StopRule = { kind: 'beta', confidence: 0.7 };

describe('shouldStop', () => {
  it.each<[Array<string | null>, StopRule, boolean]>([
    [['5', '5', '5', '5', '5'], fixed, false],
    [['5', '5'], esc2, true],
    [['5'], esc2, false],
    [['5', '5', '5'], esc2, false],
    [['4', '5', '5', '5'], esc2, true],
    [['5', '5', '5', '4'], esc2, false],
    [[null, null], esc2, false],
    [['5', null], esc2, false],
    [['5', '5', '5'], esc3, true],
    [['5', '5', '6'], esc3, false],
    [[], esc2, false],
    [['5', '5'], { kind: 'esc', window: 0 }, false],
    [['5', '5'], { kind: 'esc', window: 1.5 }, false],
    [['5'], { kind: 'esc', window: 1 }, true],
    [['5', '5', '5'], beta95, false], // 15/16 = 0.9375
    [['5', '5', '5', '5'], beta95, true], // 31/32 = 0.96875
    [['5', '5', '5', '5', '6'], beta95, false], // a=4 b=1: 57/64 = 0.89
    [['5', null, '5', null, '5', '5'], beta95, true],
    [[null, null, null], beta95, false],
    [['5'], beta70, true], // 3/4
    [['5', '6'], beta70, false], // 1/2
    [['5', '6', '5'], beta70, false], // 11/16 = 0.6875
    [['5', '6', '5', '5'], beta70, true], // 26/32 = 0.8125
    [['5', '5'], { kind: 'beta', confidence: 1.01 }, false],
  ])('%j with %j → %s', (answers, rule, expected) => expect(shouldStop(answers, rule)).toBe(expected));
});

describe('stoppingPoint', () => {
  it.each<[Array<string | null>, StopRule, number, number]>([
    [['1', '1', '1', '1', '1', '1'], fixed, 40, 6],
    [['1', '1', '1', '1', '1', '1'], fixed, 4, 4],
    [['1', '1', '1', '1', '1', '1'], esc2, 40, 2],
    [['1', '2', '1', '1', '3', '3'], esc2, 40, 4],
    [['1', '2', '1', '3', '3', '1'], esc2, 40, 6],
    [['1', '2', '1', '2', '3', '3'], esc2, 4, 4],
    [['7', '7', '7', '7', '7', '7'], beta95, 40, 4],
    [['7', '8', '7', '7', '7', '7', '7', '7'], beta95, 40, 7], // a=6 b=1: 120/128 = 0.9375; a=5,b=1 at t=6 is 0.89
    [[null, null, '7', '7', '7', '7'], beta95, 40, 6],
    [['7', '7'], beta95, 40, 2],
    [[], beta95, 40, 0],
    [['7', '7', '7'], fixed, 0, 0],
    [['7', '7', '7'], fixed, -3, 0],
    [['7', '7', '7'], fixed, Number.NaN, 3],
    [['7', '7', '7'], fixed, Number.POSITIVE_INFINITY, 3],
  ])('%j with %j, max %d → %d', (answers, rule, maxSamples, expected) =>
    expect(stoppingPoint(answers, rule, maxSamples)).toBe(expected),
  );
});
