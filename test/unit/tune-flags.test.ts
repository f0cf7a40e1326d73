import { describe, expect, it } from 'vitest';
import { parseTuneFlags, strategyFlagValues } from '../../src/tune/tune-flags.js';

describe('parseTuneFlags', () => {
  it('has the defaults the README gives', () => {
    expect(parseTuneFlags({})).toMatchObject({
      devFraction: 0.5,
      budget: null,
      search: 'halving',
      maxCandidates: 64,
      generate: null,
      rounds: 0,
      save: null,
      failUnder: null,
      alpha: 0.05,
    });
  });

  it.each([
    [{ split: '0' }, '--split must be a number strictly between 0 and 1, got "0"'],
    [{ budget: '0' }, '--budget must be a positive integer, got "0"'],
    [{ search: 'random' }, '--search must be one of halving, exhaustive, got "random"'],
    [{ generate: '2', rounds: '-1' }, '--rounds must be a whole number (0 or more), got "-1"'],
    [{ rounds: '1' }, '--rounds: give --generate K too (how many paraphrases each round asks for)'],
    [{ demoSets: '0' }, '--demo-sets must be a positive integer, got "0"'],
    [{ failUnder: '1.5' }, '--fail-under must be a number from 0 to 1, got "1.5"'],
    [
      { save: 'winner.txt' },
      '--save winner.txt: name a .prompt file (that is how -t tells a path from a template name)',
    ],
  ])('%j → %s', (flags, message) => expect(() => parseTuneFlags(flags)).toThrow(message));

  it("leaves tune's own flags out of what the baseline runs with", () => {
    expect(
      strategyFlagValues({
        triggers: 't.txt',
        shots: '0,2',
        budget: '9',
        examples: 'e.jsonl',
        trigger: 'Go.',
        dataset: 'd',
      }),
    ).toEqual({ examples: 'e.jsonl', trigger: 'Go.', dataset: 'd' });
  });
});
