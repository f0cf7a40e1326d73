/**
 * The search and the test as one result source for executeRun: every evaluation (a candidate on a
 * record) goes through the runner and reaches the output as a result line as it finishes, so a tune run
 * ends like every run — Ctrl-C, the resume hint, the throttling note, exit 3 and 130 — and `-o FILE
 * --jsonl` holds what --resume needs. Each line is a promptlab.result/v1 record with `variant` (the
 * candidate's id), its `fingerprint` (the candidate's job and the record) and `tune` ({part, calls}).
 */
import type { MatchMode } from '../core/answer-spec.js';
import { addUsage, type ChatClient, type Usage } from '../core/chat-client.js';
import { canonicalJson } from '../core/fingerprint.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { newEndpointKnowledge } from '../core/sample-completions.js';
import {
  noRunYet,
  recordsInFlight,
  runRecords,
  type ResultSource,
  type RunJob,
  type RunStatistics,
} from '../run/run-records.js';
import { withRecord } from '../run/run-fingerprint.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import type { PreparedCandidate } from './prepare-candidate.js';
import { admittedRecords, type RequestBudget } from './request-budget.js';
import { searchPrompts, type SearchMode, type SearchStop, type SearchTrace } from './search-prompts.js';

export type TunePart = 'dev' | 'test';

/** What tune adds to a result line. */
export interface TuneAnnotation {
  part: TunePart;
  /** Calls the evaluation made (cache hits included): what the budget counted. */
  calls: number;
}

export interface Paraphraser {
  rounds: number;
  count: number;
  /** New prepared candidates from `best` (ids from `firstId`), with what proposing them cost. */
  make(
    best: PreparedCandidate,
    firstId: number,
    /** Every candidate so far: a paraphrase one of them already sends is no new candidate. */
    existing: readonly PreparedCandidate[],
    signal: AbortSignal,
  ): Promise<{ candidates: PreparedCandidate[]; calls: number; requests: number; usage: Usage }>;
}

export interface TuneRunOptions {
  definition: StrategyDefinition;
  /** Baseline first. */
  candidates: PreparedCandidate[];
  dev: readonly DatasetRecord[];
  test: readonly DatasetRecord[];
  mode: SearchMode;
  budget: RequestBudget;
  budgetGiven: number | null;
  paraphrase: Paraphraser | null;
  client: ChatClient;
  model: string;
  temperature: number;
  maxTokens: number | null;
  seed: number | null;
  concurrency: number;
  match: MatchMode;
  /** Evaluations a --resume file holds (without error). */
  kept: readonly ResultRecord[];
  /** What proposing the first instructions (--generate) made. */
  proposals: { requests: number; usage: Usage };
  note(message: string): void;
  warn(message: string): void;
  /** The progress line, made only when the terminal draws it. */
  progress(text: () => string): void;
}

export interface TuneOutcome {
  trace: SearchTrace;
  prepared: ReadonlyMap<string, PreparedCandidate>;
  /** candidate → dev record id → correct (an errored evaluation counts as wrong). */
  dev: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
  test: { best: ReadonlyMap<string, boolean>; baseline: ReadonlyMap<string, boolean> };
  requests: number;
  usage: Usage;
}

export function tuneResults(options: TuneRunOptions): { source: ResultSource; outcome(): TuneOutcome | null } {
  const prepared = new Map(options.candidates.map((candidate) => [candidate.candidate.id, candidate]));
  const devIds = new Set(options.dev.map((record) => record.id));
  // candidate → record id → correct; dev and test records never share an id.
  const memo = new Map<string, Map<string, boolean>>();
  const remember = (id: string, recordId: string, correct: boolean) => {
    if (!memo.has(id)) memo.set(id, new Map());
    memo.get(id)!.set(recordId, correct);
  };
  const has = (id: string, recordId: string) => memo.get(id)?.has(recordId) === true;
  let requests = options.proposals.requests;
  let usage = options.proposals.usage;
  let outcome: TuneOutcome | null = null;

  // A resumed line counts for the candidate it was made for, by this model, on the record it was made
  // from: its fingerprint is the one this candidate's job writes for that record (settings and data alike).
  const records = new Map([...options.dev, ...options.test].map((record) => [record.id, record]));
  const madeBy = (result: ResultRecord, id: string) => {
    const record = records.get(result.id);
    return (
      record !== undefined &&
      result.tune !== undefined &&
      result.model === options.model &&
      result.strategy === options.definition.name &&
      canonicalJson(result.fingerprint) === canonicalJson(withRecord(prepared.get(id)!.job.fingerprint, record))
    );
  };
  const replayResumed = (ids: ReadonlySet<string>) => {
    for (const result of options.kept) {
      const id = result.variant;
      if (id == null || !ids.has(id) || has(id, result.id) || !madeBy(result, id)) continue;
      remember(id, result.id, result.correct === true);
      requests += result.requests;
      usage = addUsage(usage, result.usage);
      if (devIds.has(result.id)) options.budget.replay(evaluationCost(result));
    }
  };

  const source: ResultSource = {
    async run(emit, signals) {
      const statistics = noRunYet();
      // Evaluations finished in this run, for the progress line.
      let evaluated = 0;
      const knowledge = newEndpointKnowledge();
      const jobFor = (id: string): RunJob => ({
        // A candidate is a cell of its own: the strategy, with the candidate as its variant.
        cell: { model: options.model, strategy: options.definition.name, variant: id },
        name: id,
        template: prepared.get(id)!.template.name,
        answer: prepared.get(id)!.answer,
        prepared: prepared.get(id)!.prepared,
        fingerprint: prepared.get(id)!.job.fingerprint,
        context: {
          client: options.client,
          temperature: options.temperature,
          maxTokens: options.maxTokens,
          seed: options.seed,
          endpoint: knowledge,
          signal: signals.abortSignal,
          warn: options.warn,
        },
      });
      const evaluate = async (
        ids: readonly string[],
        records: AsyncIterable<DatasetRecord>,
        part: TunePart,
        status: () => string,
      ): Promise<boolean> => {
        options.progress(status);
        const ran = await runRecords({
          records,
          jobs: ids.map(jobFor),
          recordsInFlight: recordsInFlight(options.concurrency),
          match: options.match,
          alreadyDone: (record, cell) => has(cell.variant!, record.id),
          stopSignal: signals.stopSignal,
          onResult: async (raw, record) => {
            const id = raw.variant!;
            const result = annotate(raw, part);
            remember(id, record.id, result.correct === true);
            requests += result.requests;
            usage = addUsage(usage, result.usage);
            if (part === 'dev') options.budget.finish(evaluationCost(result));
            evaluated++;
            options.progress(status);
            await emit(result, record);
          },
        });
        merge(statistics, ran);
        return ran.interrupted;
      };

      replayResumed(new Set(prepared.keys()));
      const trace = await searchPrompts({
        candidates: options.candidates.map((candidate) => candidate.candidate),
        devSize: options.dev.length,
        mode: options.mode,
        budget: options.budget,
        budgetGiven: options.budgetGiven,
        note: options.note,
        paraphrase:
          options.paraphrase === null
            ? null
            : {
                rounds: options.paraphrase.rounds,
                count: options.paraphrase.count,
                propose: async (best, firstId) => {
                  const made = await options.paraphrase!.make(
                    prepared.get(best.id)!,
                    firstId,
                    [...prepared.values()],
                    signals.abortSignal,
                  );
                  options.budget.charge(made.calls);
                  requests += made.requests;
                  usage = addUsage(usage, made.usage);
                  for (const candidate of made.candidates) prepared.set(candidate.candidate.id, candidate);
                  replayResumed(new Set(made.candidates.map((candidate) => candidate.candidate.id)));
                  return made.candidates.map((candidate) => candidate.candidate);
                },
              },
        evaluator: {
          async evaluate(ids, count) {
            let stop: SearchStop | null = null;
            const slice = options.dev.slice(0, count);
            const lacking = (record: DatasetRecord) => ids.filter((id) => !has(id, record.id)).length;
            const interrupted = await evaluate(
              ids,
              admittedRecords(slice, lacking, options.budget, () => (stop = 'budget')),
              'dev',
              () => progressText(ids.length, count, options.budget),
            );
            if (interrupted) stop = 'interrupted';
            const complete = slice.findIndex((record) => lacking(record) > 0);
            return { records: complete === -1 ? slice.length : complete, stop };
          },
          standing(id, count) {
            const answers = memo.get(id);
            const correct = options.dev.slice(0, count).filter((record) => answers?.get(record.id) === true).length;
            return { id, correct, n: count };
          },
        },
      });
      if (trace.stop === 'interrupted') return { ...statistics, interrupted: true };

      const baselineId = options.candidates[0]!.candidate.id;
      const finalists = [...new Set([trace.best.id, baselineId])];
      const testedFrom = evaluated;
      const testStatus = () =>
        `testing ${finalists.length === 1 ? 'the baseline' : `${trace.best.id} and the baseline`} on the test part: ${evaluated - testedFrom}/${finalists.length * options.test.length}`;
      if (await evaluate(finalists, fromList(options.test), 'test', testStatus))
        return { ...statistics, interrupted: true };
      const onTest = (id: string) =>
        new Map(options.test.map((record) => [record.id, memo.get(id)?.get(record.id) === true]));
      outcome = {
        trace,
        prepared,
        dev: new Map(
          [...memo].map(([id, answers]) => [id, new Map([...answers].filter(([recordId]) => devIds.has(recordId)))]),
        ),
        test: { best: onTest(trace.best.id), baseline: onTest(baselineId) },
        requests,
        usage,
      };
      return statistics;
    },
  };
  return { source, outcome: () => outcome };
}

/** What an evaluation cost the budget: its calls, or its HTTP requests when retries made more. */
function evaluationCost(result: ResultRecord): number {
  const calls = (result.tune as TuneAnnotation | undefined)?.calls ?? 0;
  return Math.max(calls, result.requests, 1);
}

/** The runner's result (the strategy, the candidate as its variant) with what tune adds. */
function annotate(raw: ResultRecord, part: TunePart): ResultRecord {
  const { calls, ...result } = raw;
  return { ...result, tune: { part, calls: typeof calls === 'number' ? calls : 0 } satisfies TuneAnnotation };
}

function progressText(candidates: number, records: number, budget: RequestBudget): string {
  const limit = Number.isFinite(budget.limit) ? `/${budget.limit}` : '';
  return `searching: ${candidates} candidate(s) on ${records} dev record(s) · ${budget.spent()}${limit} requests`;
}

async function* fromList<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

function merge(total: RunStatistics, part: RunStatistics): void {
  total.started += part.started;
  total.finished += part.finished;
  total.errored += part.errored;
  total.answered += part.answered;
  total.abandoned += part.abandoned;
  total.interrupted ||= part.interrupted;
}
