import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Candidate } from '../../src/tune/candidate-product.js';
import { admittedRecords, createRequestBudget, type RequestBudget } from '../../src/tune/request-budget.js';
import { searchPrompts, type SearchEvaluator, type SearchOptions } from '../../src/tune/search-prompts.js';
import {
  halvingSchedule,
  keepBetterHalf,
  minimumHalvingCost,
  planHalving,
  scheduleEvaluations,
} from '../../src/tune/successive-halving.js';

describe('halvingSchedule', () => {
  it.each([
    // candidates, dev, first slice → [candidates, records] per round
    [
      8,
      100,
      4,
      [
        [8, 4],
        [4, 8],
        [2, 16],
      ],
    ],
    [
      8,
      10,
      4,
      [
        [8, 4],
        [4, 8],
        [2, 10],
      ],
    ],
    [8, 10, 10, [[8, 10]]],
    [
      5,
      100,
      3,
      [
        [5, 3],
        [3, 6],
        [2, 12],
      ],
    ],
    [2, 100, 7, [[2, 7]]],
    [
      16,
      100,
      1,
      [
        [16, 1],
        [8, 2],
        [4, 4],
        [2, 8],
      ],
    ],
  ])('%i candidates, %i dev, first slice %i', (candidates, dev, first, expected) => {
    expect(halvingSchedule(candidates, dev, first).map((round) => [round.candidates, round.records])).toEqual(expected);
  });

  it('counts each evaluation once: survivors pay only for the records their slice gained', () => {
    // 8×4 + 4×(8−4) + 2×(16−8)
    expect(scheduleEvaluations(halvingSchedule(8, 100, 4))).toBe(32 + 16 + 16);
  });
});

describe('planHalving', () => {
  it('takes the largest first slice that fits the budget', () => {
    // 8 candidates, 10 dev: everything on all of dev is 80 evaluations; half of it is 40.
    const plan = planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 1, budget: 40 })!;
    expect(plan.rounds.map((round) => [round.candidates, round.records])).toEqual([
      [8, 2],
      [4, 4],
      [2, 8],
    ]);
    expect(plan.cost).toBe(32);
    // One more record in the first round would cost 8×3 + 4×3 + 2×4 = 44.
    expect(planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 1, budget: 43 })!.cost).toBe(32);
    expect(planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 1, budget: 44 })!.cost).toBe(44);
  });

  it('reckons in requests: two per evaluation halve what fits', () => {
    const plan = planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 2, budget: 80 })!;
    expect(plan.cost).toBe(64);
    expect(plan.rounds[0]!.records).toBe(2);
  });

  it('is null when even one record each does not fit', () => {
    // 8 on one record, 4 on a second, 2 on two more.
    expect(minimumHalvingCost(8, 10, 1)).toBe(8 + 4 + 2 * 2);
    expect(planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 1, budget: 15 })).toBeNull();
    expect(planHalving({ candidates: 8, devSize: 10, costPerEvaluation: 1, budget: 16 })).not.toBeNull();
  });
});

describe('keepBetterHalf', () => {
  const order = ['c0', 'c1', 'c2', 'c3', 'c4'];
  it('keeps the better half, rounded up, best first', () => {
    const standings = [
      { id: 'c0', correct: 2, n: 4 },
      { id: 'c1', correct: 4, n: 4 },
      { id: 'c2', correct: 1, n: 4 },
      { id: 'c3', correct: 3, n: 4 },
      { id: 'c4', correct: 0, n: 4 },
    ];
    expect(keepBetterHalf(standings, order)).toEqual(['c1', 'c3', 'c0']);
  });

  it('breaks ties towards the earlier candidate, so a change must beat the baseline to pass it', () => {
    const standings = [
      { id: 'c2', correct: 3, n: 4 },
      { id: 'c0', correct: 3, n: 4 },
      { id: 'c1', correct: 1, n: 4 },
    ];
    expect(keepBetterHalf(standings, order)).toEqual(['c0', 'c2']);
  });
});

describe('createRequestBudget', () => {
  it('admits evaluations while spent plus reserved fits, each reckoned at the most one has cost', () => {
    const budget = createRequestBudget(10);
    expect(budget.tryStart(4)).toBe(true);
    expect(budget.tryStart(7)).toBe(false);
    expect(budget.tryStart(6)).toBe(true);
    for (let index = 0; index < 10; index++) budget.finish(1);
    expect(budget.spent()).toBe(10);
    expect(budget.tryStart(1)).toBe(false);
  });

  it('reckons later evaluations at the largest cost seen, and counts replayed and charged requests', () => {
    const budget = createRequestBudget(20);
    budget.replay(3);
    budget.charge(2);
    expect(budget.spent()).toBe(5);
    expect(budget.costPerEvaluation()).toBe(3);
    expect(budget.tryStart(5)).toBe(true);
    expect(budget.tryStart(1)).toBe(false);
  });

  it('holds a round back at the first record whose evaluations do not all fit', async () => {
    const budget = createRequestBudget(5);
    let stopped = false;
    const handed: string[] = [];
    const records = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    for await (const record of admittedRecords(
      records,
      () => 2,
      budget,
      () => (stopped = true),
    )) {
      handed.push(record.id);
      budget.finish(1);
      budget.finish(1);
    }
    expect(handed).toEqual(['a', 'b']);
    expect(stopped).toBe(true);
  });
});

/**
 * A fake evaluator over a table of answers: candidate → per dev record correct or not. It runs the
 * records a round admits one by one, costing `cost` requests per evaluation, as the real one does.
 */
function tableEvaluator(table: Record<string, boolean[]>, budget: RequestBudget, cost = 1) {
  const done = new Map<string, number>();
  const evaluations: Array<[string, number]> = [];
  const evaluator: SearchEvaluator = {
    async evaluate(candidates, records) {
      let stop: 'budget' | null = null;
      const slice = Array.from({ length: records }, (_, index) => ({ id: String(index), index }));
      const lacking = (record: { index: number }) => candidates.filter((id) => (done.get(id) ?? 0) <= record.index);
      for await (const record of admittedRecords(
        slice,
        (record) => lacking(record).length,
        budget,
        () => (stop = 'budget'),
      )) {
        for (const id of lacking(record)) {
          evaluations.push([id, record.index]);
          done.set(id, record.index + 1);
          budget.finish(cost);
        }
      }
      return { records: Math.min(...candidates.map((id) => done.get(id) ?? 0)), stop };
    },
    standing(id, records) {
      return { id, correct: table[id]!.slice(0, records).filter(Boolean).length, n: records };
    },
  };
  return { evaluator, evaluations };
}

/** `accuracy` of 40 records right, spread evenly (so every slice shows about the same accuracy). */
const answers = (accuracy: number, count = 40) =>
  Array.from({ length: count }, (_, index) => Math.floor((index + 1) * accuracy) > Math.floor(index * accuracy));

const candidates = (count: number): Candidate[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `c${index}`,
    label: index === 0 ? 'baseline' : `candidate ${index}`,
    source: index === 0 ? 'baseline' : 'given',
    settings: {},
  }));

function search(overrides: Partial<SearchOptions> & { table: Record<string, boolean[]>; budget?: RequestBudget }) {
  const budget = overrides.budget ?? createRequestBudget(Number.POSITIVE_INFINITY);
  const { evaluator, evaluations } = tableEvaluator(overrides.table, budget);
  const notes: string[] = [];
  const running = searchPrompts({
    candidates: candidates(Object.keys(overrides.table).length),
    devSize: 40,
    mode: 'halving',
    budget,
    budgetGiven: null,
    paraphrase: null,
    evaluator,
    note: (message) => notes.push(message),
    ...overrides,
  });
  return { running, evaluations, budget, notes };
}

const eight = {
  c0: answers(0.5),
  c1: answers(0.3),
  c2: answers(0.9),
  c3: answers(0.6),
  c4: answers(0.2),
  c5: answers(0.7),
  c6: answers(0.4),
  c7: answers(0.1),
};

describe('searchPrompts', () => {
  it('halves the field each round, the better half surviving, and spends half of the exhaustive cost at most', async () => {
    const { running, evaluations, budget } = search({ table: eight });
    const trace = await running;
    // Default budget: half of 8 candidates × 40 records = 160 requests; the largest first slice that
    // fits is 10 records: 8×10 + 4×(20−10) + 2×(40−20) = 160.
    expect(budget.limit).toBe(160);
    expect(trace.rounds.map((round) => [round.round, round.records, round.candidates, round.kept])).toEqual([
      [1, 10, ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'], ['c2', 'c5', 'c3', 'c0']],
      [2, 20, ['c2', 'c5', 'c3', 'c0'], ['c2', 'c5']],
      [3, 40, ['c2', 'c5'], ['c2']],
    ]);
    expect(trace.best.id).toBe('c2');
    expect(evaluations).toHaveLength(160);
    expect(budget.spent()).toBe(160);
    expect(Object.fromEntries(trace.stoppedAtRound)).toEqual({
      c0: 2,
      c1: 1,
      c2: 3,
      c3: 2,
      c4: 1,
      c5: 3,
      c6: 1,
      c7: 1,
    });
    // No evaluation twice: the probe (c0 on record 0) is reused by round 1.
    expect(new Set(evaluations.map((entry) => entry.join())).size).toBe(evaluations.length);
  });

  it('never spends more than --budget, and a smaller budget means a smaller first slice', async () => {
    const budget = createRequestBudget(50);
    const { running } = search({ table: eight, budget, budgetGiven: 50 });
    const trace = await running;
    expect(budget.spent()).toBeLessThanOrEqual(50);
    // 8×3 + 4×3 + 2×6 = 48 fits; a first slice of 4 would cost 64.
    expect(trace.rounds.map((round) => round.records)).toEqual([3, 6, 12]);
    expect(budget.spent()).toBe(48);
    expect(trace.best.id).toBe('c2');
  });

  it('refuses a budget that cannot pay for the least search, before spending anything', async () => {
    const budget = createRequestBudget(10);
    const { running, evaluations } = search({ table: eight, budget, budgetGiven: 10 });
    await expect(running).rejects.toThrow(UsageError);
    await expect(running).rejects.toThrow(/--budget 10: the least search of 8 candidates .* needs 16 requests/);
    expect(evaluations).toHaveLength(0);
  });

  it('evaluates every candidate on all of dev with --search exhaustive', async () => {
    const { running, evaluations } = search({ table: eight, mode: 'exhaustive' });
    const trace = await running;
    expect(trace.rounds).toHaveLength(1);
    expect(trace.rounds[0]).toMatchObject({ records: 40, kept: ['c2'] });
    expect(evaluations).toHaveLength(8 * 40);
  });

  it('refuses --search exhaustive with a budget smaller than all of it', async () => {
    const budget = createRequestBudget(100);
    const { running } = search({ table: eight, mode: 'exhaustive', budget, budgetGiven: 100 });
    await expect(running).rejects.toThrow(/--search exhaustive evaluates 8 candidates on 40 dev records, 320 requests/);
  });

  it('ends in the middle of a round when evaluations cost more than planned, the best so far winning', async () => {
    // Planned at 1 request an evaluation (the probe's cost), each later one costs 3.
    const budget = createRequestBudget(60);
    const { evaluator } = tableEvaluator(eight, budget, 1);
    let first = true;
    const dearer: SearchEvaluator = {
      ...evaluator,
      async evaluate(ids, records) {
        if (first) {
          first = false;
          return evaluator.evaluate(ids, records);
        }
        const { evaluator: costly } = tableEvaluator(eight, budget, 3);
        return costly.evaluate(ids, records);
      },
    };
    const notes: string[] = [];
    const trace = await searchPrompts({
      candidates: candidates(8),
      devSize: 40,
      mode: 'halving',
      budget,
      budgetGiven: 60,
      paraphrase: null,
      evaluator: dearer,
      note: (message) => notes.push(message),
    });
    expect(trace.stop).toBe('budget');
    expect(budget.spent()).toBeLessThanOrEqual(60);
    expect(trace.rounds).toHaveLength(1);
    expect(notes.join('\n')).toMatch(
      /the budget ran out in round 1: the best of 8 candidates on \d dev record\(s\) wins/,
    );
  });

  it('asks for paraphrases of the best so far each round and searches them against it', async () => {
    const table: Record<string, boolean[]> = { c0: answers(0.5), c1: answers(0.7), c2: answers(0.6) };
    const proposedFrom: string[] = [];
    const { running, budget } = search({
      table,
      paraphrase: {
        rounds: 2,
        count: 2,
        async propose(best, firstId) {
          proposedFrom.push(best.id);
          const accuracy = firstId === 3 ? [0.9, 0.4] : [0.8, 0.95];
          return accuracy.map((value, index) => {
            table[`c${firstId + index}`] = answers(value);
            return { id: `c${firstId + index}`, label: `paraphrase ${value}`, source: 'generated', settings: {} };
          });
        },
      },
    });
    const trace = await running;
    expect(proposedFrom).toEqual(['c1', 'c3']);
    expect(trace.candidates.map((candidate) => candidate.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(trace.best.id).toBe('c6');
    expect(new Set(trace.rounds.map((round) => round.stage))).toEqual(new Set([0, 1, 2]));
    // Default: half of (3 + 2 rounds × 2 paraphrases) candidates on all 40 records.
    expect(budget.limit).toBe(140);
    expect(budget.spent()).toBeLessThanOrEqual(140);
  });
});
