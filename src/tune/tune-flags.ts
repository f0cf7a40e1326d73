/** tune's own flags, checked before anything is read or spent; each bad value is one line naming its flag. */
import { nonNegativeInteger, numberInRange, oneOf, positiveInteger } from '../config/flag-values.js';
import { UsageError } from '../errors.js';
import { defaultAlpha } from '../scoring/compare-report.js';
import { defaultMaxCandidates } from './candidate-product.js';
import type { AxisFlags } from './tune-axes.js';
import type { SearchMode } from './search-prompts.js';

export interface TuneFlags {
  axes: AxisFlags;
  /** --split: the share of the dataset the search may see. */
  devFraction: number;
  budget: number | null;
  search: SearchMode;
  maxCandidates: number;
  /** --generate K: instructions (or triggers) the model proposes; null without it. */
  generate: number | null;
  /** --rounds R: paraphrase rounds after the first search. */
  rounds: number;
  save: string | null;
  failUnder: number | null;
  alpha: number;
}

const defaultDevFraction = 0.5;

/** The flags only tune has: everything else is the strategy's, and the baseline runs with it. */
const tuneOnlyFlags = [
  'triggers',
  'systems',
  'templates',
  'shots',
  'demoSets',
  'generate',
  'rounds',
  'budget',
  'search',
  'split',
  'maxCandidates',
  'save',
  'failUnder',
  'alpha',
] as const;

export function parseTuneFlags(flagValues: Record<string, unknown>): TuneFlags {
  const text = (name: string) => flagValues[name] as string | undefined;
  const generate = flagValues.generate === undefined ? null : positiveInteger(flagValues.generate, '--generate');
  const rounds = flagValues.rounds === undefined ? 0 : nonNegativeInteger(flagValues.rounds, '--rounds');
  if (rounds > 0 && generate === null)
    throw new UsageError('--rounds: give --generate K too (how many paraphrases each round asks for)');
  const save = text('save') ?? null;
  if (save !== null && !save.endsWith('.prompt'))
    throw new UsageError(`--save ${save}: name a .prompt file (that is how -t tells a path from a template name)`);
  return {
    axes: {
      templates: text('templates'),
      systems: text('systems'),
      triggers: text('triggers'),
      shots: text('shots'),
      demoSets: flagValues.demoSets === undefined ? undefined : positiveInteger(flagValues.demoSets, '--demo-sets'),
    },
    devFraction:
      flagValues.split === undefined ? defaultDevFraction : numberInRange(flagValues.split, '--split', 0, 1, '()'),
    budget: flagValues.budget === undefined ? null : positiveInteger(flagValues.budget, '--budget'),
    search: oneOf(flagValues.search ?? 'halving', '--search', ['halving', 'exhaustive'] as const),
    maxCandidates:
      flagValues.maxCandidates === undefined
        ? defaultMaxCandidates
        : positiveInteger(flagValues.maxCandidates, '--max-candidates'),
    generate,
    rounds,
    save,
    failUnder: flagValues.failUnder === undefined ? null : numberInRange(flagValues.failUnder, '--fail-under', 0, 1),
    alpha: flagValues.alpha === undefined ? defaultAlpha : numberInRange(flagValues.alpha, '--alpha', 0, 1, '()'),
  };
}

/** The command's flags without tune's own: what the baseline (and every candidate under its settings) runs with. */
export function strategyFlagValues(flagValues: Record<string, unknown>): Record<string, unknown> {
  const values = { ...flagValues };
  for (const name of tuneOnlyFlags) delete values[name];
  return values;
}
