/**
 * What `--save` writes for the winner: its template with the candidate's settings in it (saved-template.ts),
 * the provenance, and the command line that runs it — with the flags a template cannot carry.
 */
import { longFlag } from '../strategies/options.js';
import type { TuneReport } from '../scoring/tune-report.js';
import type { PreparedCandidate } from './prepare-candidate.js';
import type { PreparedTune } from './prepare-tune.js';
import { savedTemplate } from './saved-template.js';

export interface SavedWinner {
  text: string;
  /** `promptlab cot -t FILE`, with what else it needs. */
  runWith: string;
  /** The flags in runWith the template cannot carry (none: the template runs as is). */
  flags: string[];
  warnings: string[];
}

/** Answer rules given as flags become the template's own (the names template settings use). */
const answerRuleFlags = ['answer', 'normalize', 'pick'] as const;

export function savedTemplateOf(options: {
  tune: PreparedTune;
  document: TuneReport;
  winner: PreparedCandidate;
  source: string;
  path: string;
  date: Date;
}): SavedWinner {
  const { tune, document, winner, source, path } = options;
  const flags = tune.strategyFlags;
  const demonstrations = winner.template.settings.demonstrations ?? [];
  const settings = Object.fromEntries(
    answerRuleFlags.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]]),
  );
  const text = savedTemplate({
    source,
    file: winner.template.path,
    description: `Tuned by promptlab tune ${document.strategy}: ${winner.candidate.label} (test accuracy ${percent(document.test.best.accuracy)} on ${document.test.best.n} held-out records)`,
    system: winner.system,
    trigger: winner.trigger,
    demonstrations,
    settings,
    provenance: {
      strategy: document.strategy,
      model: document.model,
      candidate: winner.candidate.id,
      label: winner.candidate.label,
      source: winner.candidate.source,
      template: winner.template.name,
      dataset: document.dataset,
      split: { ...document.split, seed: document.seed },
      dev: { n: document.best.dev.n, correct: document.best.dev.correct, accuracy: document.best.dev.accuracy },
      test: {
        n: document.test.best.n,
        correct: document.test.best.correct,
        accuracy: document.test.best.accuracy,
        ci95: document.test.best.ci95,
        baseline: document.test.baseline.accuracy,
        pValue: document.test.pValue,
      },
      date: options.date.toISOString(),
    },
  });
  // What the template cannot hold: the strategy's other flags, and a shot count without demonstrations.
  const extra: string[] = [];
  for (const [name, option] of Object.entries(tune.definition.options)) {
    if (name === 'trigger' || ((name === 'examples' || name === 'shots') && demonstrations.length > 0)) continue;
    const value = name === 'shots' ? (winner.candidate.settings.shots ?? flags.shots) : flags[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value])
      extra.push(longFlag(option.flags), shellWord(String(item)));
  }
  if (flags.extractMode !== undefined) extra.push('--extract-mode', String(flags.extractMode));
  const warnings = /\{\{>/.test(source)
    ? [`--save ${path}: the template uses partials; copy its _NAME.prompt files beside ${path}`]
    : [];
  return {
    text,
    runWith: ['promptlab', document.strategy, '-t', shellWord(path), ...extra].join(' '),
    flags: extra.filter((word) => word.startsWith('--')),
    warnings,
  };
}

const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);

const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
