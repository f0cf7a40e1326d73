import { describe, expect, it } from 'vitest';
import { majorityVote, type VoteResult } from '../../src/core/majority-vote.js';

describe('majorityVote', () => {
  it.each<[Array<string | null>, VoteResult]>([
    [['14', '14', '12'], { answer: '14', votes: { '14': 2, '12': 1 }, agreement: 2 / 3, validVotes: 3, tiedWith: [] }],
    [['B', 'A', 'A', 'B'], { answer: 'B', votes: { B: 2, A: 2 }, agreement: 0.5, validVotes: 4, tiedWith: ['A'] }],
    [
      ['x', null, 'y', 'z', null],
      { answer: 'x', votes: { x: 1, y: 1, z: 1 }, agreement: 1 / 3, validVotes: 3, tiedWith: ['y', 'z'] },
    ],
    [[null, 'no', null], { answer: 'no', votes: { no: 1 }, agreement: 1, validVotes: 1, tiedWith: [] }],
    [[null, null], { answer: null, votes: {}, agreement: null, validVotes: 0, tiedWith: [] }],
    [[], { answer: null, votes: {}, agreement: null, validVotes: 0, tiedWith: [] }],
    [
      ['a', 'b', 'b', 'a', 'c', 'a'],
      { answer: 'a', votes: { a: 3, b: 2, c: 1 }, agreement: 0.5, validVotes: 6, tiedWith: [] },
    ],
    [['', ''], { answer: '', votes: { '': 2 }, agreement: 1, validVotes: 2, tiedWith: [] }],
  ])('%j', (answers, expected) => expect(majorityVote(answers)).toEqual(expected));

  it('keeps non-numeric keys in first-occurrence order', () =>
    expect(Object.keys(majorityVote(['no', 'yes', 'yes', 'maybe']).votes)).toEqual(['no', 'yes', 'maybe']));

  it('counts "__proto__" as an ordinary answer', () => {
    const result = majorityVote(['__proto__', '__proto__', 'x']);
    expect([result.answer, Object.getOwnPropertyDescriptor(result.votes, '__proto__')?.value]).toEqual([
      '__proto__',
      2,
    ]);
  });

  it('breaks a tie by first occurrence, not by value', () =>
    expect(majorityVote(['9', '10', '10', '9']).answer).toBe('9'));
});
