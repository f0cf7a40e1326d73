/** The `promptlab.tune/v1` document from what a search and its test found. */
import {
  accuracyScore,
  type TuneCandidateEntry,
  type TuneReport,
  tuneSchemaId,
  tuneTest,
} from '../scoring/tune-report.js';
import type { PreparedCandidate } from './prepare-candidate.js';
import type { RequestBudget } from './request-budget.js';
import type { SearchMode } from './search-prompts.js';
import type { TuneOutcome } from './tune-results.js';

export interface TuneRunFacts {
  strategy: string;
  model: string;
  dataset: { path: string; fingerprint: string; records: number };
  seed: number;
  split: { dev: number; test: number; fraction: number };
  search: SearchMode;
  budget: RequestBudget;
}

export function tuneDocument(facts: TuneRunFacts, outcome: TuneOutcome): TuneReport {
  const { trace } = outcome;
  const entries = trace.candidates.map((candidate): TuneCandidateEntry => {
    const { settings } = candidate;
    return {
      ...describeCandidate(outcome.prepared.get(candidate.id)!),
      ...(settings.demonstrations === undefined || settings.demonstrations.items.length === 0
        ? {}
        : { demonstrations: settings.demonstrations.items.map((demo) => demo.id ?? demo.source) }),
      dev: accuracyScore(outcome.dev.get(candidate.id)?.values() ?? []),
      stoppedAtRound: trace.stoppedAtRound.get(candidate.id) ?? 0,
    };
  });
  const entryOf = (id: string) => entries.find((entry) => entry.id === id)!;
  const limit = facts.budget.limit;
  return {
    schema: tuneSchemaId,
    strategy: facts.strategy,
    model: facts.model,
    dataset: facts.dataset,
    seed: facts.seed,
    split: facts.split,
    search: facts.search,
    budget: { limit: Number.isFinite(limit) ? limit : null, spent: facts.budget.spent() },
    candidates: entries,
    best: entryOf(trace.best.id),
    baseline: entryOf(trace.candidates[0]!.id),
    test: tuneTest(outcome.test.best, outcome.test.baseline),
    rounds: trace.rounds.map((round) => ({ ...round })),
    requests: outcome.requests,
    usage: outcome.usage,
  };
}

/** What a candidate is, as the document and --dry-run list it. */
export function describeCandidate({ candidate, template, trigger, system }: PreparedCandidate) {
  return {
    id: candidate.id,
    label: candidate.label,
    source: candidate.source,
    template: template.name,
    ...(trigger === null ? {} : { trigger }),
    ...(system === null ? {} : { system }),
    ...(candidate.settings.shots === undefined ? {} : { shots: candidate.settings.shots }),
  };
}
