import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { candidateProduct, productSize, type Axis } from '../../src/tune/candidate-product.js';
import { devSize, splitDevTest } from '../../src/tune/split-dataset.js';

const records = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `r${index}`, index }));
const ids = (list: ReadonlyArray<{ id: string }>) => list.map((record) => record.id);

describe('splitDevTest', () => {
  it.each([
    [10, 0.5, 5],
    [11, 0.5, 6],
    [3, 0.5, 2],
    [2, 0.5, 1],
    [2, 0.99, 1],
    [2, 0.01, 1],
    [100, 0.8, 80],
    [100, 0.2, 20],
  ])('%i records at %f: %i for dev, at least one on each side', (total, fraction, expected) => {
    expect(devSize(total, fraction)).toBe(expected);
    const split = splitDevTest(records(total), fraction, 0);
    expect(split.dev).toHaveLength(expected);
    expect(split.test).toHaveLength(total - expected);
  });

  it('puts every record in exactly one part', () => {
    const split = splitDevTest(records(50), 0.5, 7);
    expect([...ids(split.dev), ...ids(split.test)].sort()).toEqual(ids(records(50)).sort());
  });

  it('is the same split for the same seed, whatever order the file lists the records in', () => {
    const forward = splitDevTest(records(40), 0.5, 3);
    const backward = splitDevTest([...records(40)].reverse(), 0.5, 3);
    expect(ids(backward.dev)).toEqual(ids(forward.dev));
    expect(ids(backward.test).sort()).toEqual(ids(forward.test).sort());
  });

  it('is another split for another seed, and not the file order', () => {
    const first = splitDevTest(records(40), 0.5, 1);
    const second = splitDevTest(records(40), 0.5, 2);
    expect(ids(first.dev)).not.toEqual(ids(second.dev));
    expect(ids(first.dev)).not.toEqual(ids(records(20)));
  });

  it('keeps the test part in dataset order', () => {
    const split = splitDevTest(records(30), 0.5, 5);
    const indices = split.test.map((record) => record.index);
    expect(indices).toEqual([...indices].sort((left, right) => left - right));
  });

  it('refuses a dataset too small to split', () => {
    expect(() => splitDevTest(records(1), 0.5, 0)).toThrow(UsageError);
    expect(() => splitDevTest(records(1), 0.5, 0)).toThrow(/at least 2 records/);
  });
});

const triggers: Axis = {
  flag: '--triggers',
  values: [
    { label: 'trigger: A', source: 'given', settings: { trigger: 'A' } },
    { label: 'trigger: B', source: 'generated', settings: { trigger: 'B' } },
  ],
};
const systems: Axis = {
  flag: '--systems',
  values: [{ label: 'system 1', source: 'given', settings: { system: 'Be careful.' } }],
};

describe('candidateProduct', () => {
  it('is the baseline alone without axes', () => {
    expect(candidateProduct([], 64)).toEqual([{ id: 'c0', label: 'baseline', source: 'baseline', settings: {} }]);
  });

  it('crosses every axis with the baseline value first, so c0 is the baseline', () => {
    const candidates = candidateProduct([triggers, systems], 64);
    expect(productSize([triggers, systems])).toBe(6);
    expect(
      candidates.map((candidate) => [candidate.id, candidate.label, candidate.source, candidate.settings]),
    ).toEqual([
      ['c0', 'baseline', 'baseline', {}],
      ['c1', 'system 1', 'given', { system: 'Be careful.' }],
      ['c2', 'trigger: A', 'given', { trigger: 'A' }],
      ['c3', 'trigger: A · system 1', 'given', { trigger: 'A', system: 'Be careful.' }],
      ['c4', 'trigger: B', 'generated', { trigger: 'B' }],
      ['c5', 'trigger: B · system 1', 'generated', { trigger: 'B', system: 'Be careful.' }],
    ]);
  });

  it('numbers from firstId', () => {
    expect(candidateProduct([systems], 64, 7).map((candidate) => candidate.id)).toEqual(['c7', 'c8']);
  });

  it('refuses more candidates than the limit, naming the axes and the flag to raise it', () => {
    expect(() => candidateProduct([triggers, systems], 5)).toThrow(
      "the candidate axes make 6 candidates (--triggers 3 × --systems 2, each with the baseline's own), more than --max-candidates 5; raise it or give fewer values",
    );
    expect(candidateProduct([triggers, systems], 6)).toHaveLength(6);
  });
});
