/**
 * The runner: streams records × strategies through a fixed pool of workers, so the endpoint is kept
 * exactly as busy as allowed from the first record on (no batch-by-batch waves, no waiting for the whole
 * dataset to be read), and hands each result on as soon as it is finished.
 */
import { setMaxListeners } from 'node:events';
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { cellNamer, type Cell } from '../core/cells.js';
import { zeroUsage } from '../core/chat-client.js';
import { resultSchemaId, type DatasetRecord, type ResultRecord, type StrategyOutcome } from '../core/records.js';
import { roundRate } from '../scoring/json-numbers.js';
import { answerMatches } from '../scoring/match-answer.js';
import { EndpointError } from '../errors.js';
import { ReplayMissError } from '../core/cached-client.js';
import { tallyRequests } from '../core/tally-requests.js';
import type { ChatClient } from '../core/chat-client.js';
import { newEndpointKnowledge, type EndpointKnowledge } from '../core/sample-completions.js';
import type { PreparedStrategy, RunContext } from '../strategies/strategy.js';
import { withRecord, type JobFingerprint } from './run-fingerprint.js';

/** One cell of the run as the runner works it: what to run, and what to call its results. */
export interface RunJob {
  cell: Cell;
  /** How messages name the job (cellNamer): `cot`, or `model/cot` when the run has several models. */
  name: string;
  /** The template's name, for the result records. */
  template: string;
  /** How this job's answers are read and scored (a variant's template may type its answer differently). */
  answer: AnswerSpec;
  prepared: PreparedStrategy;
  context: RunContext;
  /** What the job is, written on each of its results with its record's part (run-fingerprint.ts). */
  fingerprint?: JobFingerprint;
}

export interface RunRecordsOptions {
  records: AsyncIterable<DatasetRecord>;
  jobs: readonly RunJob[];
  /** Records × jobs in flight at once (recordsInFlight). */
  recordsInFlight: number;
  match: MatchMode;
  onResult(result: ResultRecord, record: DatasetRecord): void | Promise<void>;
  /** Resume: results already on file are skipped. */
  alreadyDone?: (record: DatasetRecord, cell: Cell) => boolean;
  /** Stops handing out new work (SIGINT); work in flight finishes unless the jobs' own signal aborts it. */
  stopSignal?: AbortSignal;
}

/** What a source needs to know while it produces results. */
export interface RunSignals {
  /** Aborted on the first Ctrl-C or SIGTERM: hand out no more work. */
  stopSignal: AbortSignal;
  /** Aborted on the second, or after the grace period: cancel requests in flight. */
  abortSignal: AbortSignal;
  /**
   * True for a record × cell the --resume file already holds without error; throws when that result
   * was made from another record (another dataset under the same ids).
   */
  isDone(record: DatasetRecord, cell: Cell): boolean;
}

/** Where a run's results come from. */
export interface ResultSource {
  /** Produces the results, handing each to `emit` as soon as it is finished. */
  run(
    emit: (result: ResultRecord, record: DatasetRecord) => Promise<void>,
    signals: RunSignals,
  ): Promise<RunStatistics>;
}

/**
 * How many records × strategies are worked on at once. `-c` is the number of HTTP requests in flight
 * (the semaphore around the endpoint client, which throttling lowers); a record has at most one request
 * of its own waiting for a slot at a time, so as many records as slots keep every slot busy, and more
 * would only queue on the semaphore while holding their records in memory.
 */
export const recordsInFlight = (requestsInFlight: number): number => requestsInFlight;

/**
 * One cell to run over every record: a strategy (or a variant of it) prepared with its own template,
 * answer spec, temperature and token limit (prepare-job.ts), and the client of its model.
 */
export interface StrategyJob extends Cell {
  /** The template's name, for the result records. */
  template: string;
  answer: AnswerSpec;
  prepared: PreparedStrategy;
  client: ChatClient;
  temperature: number;
  maxTokens: number | null;
  /** What the job is (jobFingerprint), for --resume to tell this run's results from another's. */
  fingerprint?: JobFingerprint;
}

export interface LiveRun {
  records: AsyncIterable<DatasetRecord>;
  jobs: readonly StrategyJob[];
  /** HTTP requests in flight (-c, summed over the endpoints called): see recordsInFlight. */
  concurrency: number;
  match: MatchMode;
  seed: number | null;
  /** What a strategy says about the run while it runs; a record's own warnings go in its result instead. */
  warn(message: string): void;
}

/**
 * The results of running every job over every record, as executeRun takes them. What the run learns about
 * an endpoint (does it honour `n`?) is shared by the jobs that call it.
 */
export function liveResults(run: LiveRun): ResultSource {
  return {
    run(emit, signals) {
      const knowledge = new Map<ChatClient, EndpointKnowledge>();
      const knowledgeOf = (client: ChatClient): EndpointKnowledge => {
        if (!knowledge.has(client)) knowledge.set(client, newEndpointKnowledge());
        return knowledge.get(client)!;
      };
      const nameOf = cellNamer(run.jobs);
      return runRecords({
        records: run.records,
        jobs: run.jobs.map((job) => ({
          cell: { model: job.model, strategy: job.strategy, variant: job.variant },
          name: nameOf(job),
          template: job.template,
          answer: job.answer,
          prepared: job.prepared,
          ...(job.fingerprint === undefined ? {} : { fingerprint: job.fingerprint }),
          context: {
            client: job.client,
            temperature: job.temperature,
            maxTokens: job.maxTokens,
            seed: run.seed,
            endpoint: knowledgeOf(job.client),
            signal: signals.abortSignal,
            warn: run.warn,
          },
        })),
        recordsInFlight: recordsInFlight(run.concurrency),
        match: run.match,
        alreadyDone: (record, cell) => signals.isDone(record, cell),
        stopSignal: signals.stopSignal,
        onResult: emit,
      });
    },
  };
}

export interface RunStatistics {
  started: number;
  finished: number;
  errored: number;
  /** Records that got at least one answer back from the endpoint. */
  answered: number;
  /** Records abandoned in flight (aborted): not reported, so a resumed run does them again. */
  abandoned: number;
  interrupted: boolean;
}

export const noRunYet = (): RunStatistics => ({
  started: 0,
  finished: 0,
  errored: 0,
  answered: 0,
  abandoned: 0,
  interrupted: false,
});

/**
 * Runs every record through every job. The first error that ends the run (a fatal endpoint error such as
 * a refused key or an unreachable host, an input error, a bug) stops handing out work and aborts what is
 * in flight, so a dead endpoint is not hammered by the rest of the dataset; it is then rethrown.
 */
export async function runRecords(options: RunRecordsOptions): Promise<RunStatistics> {
  const statistics = noRunYet();
  const tasks = taskStream(options);
  const endRun = new AbortController();
  // One listener per record in flight: -c 64 means 64 at once, which is expected, not a leak.
  setMaxListeners(0, endRun.signal);
  // The error that ended the run, once there is one (in a list: TypeScript does not see closures assign).
  const failure: unknown[] = [];
  const fail = (error: unknown) => {
    if (failure.length > 0) return;
    failure.push(error);
    endRun.abort(error);
  };
  const stopped = () => {
    if (options.stopSignal?.aborted !== true) return false;
    statistics.interrupted = true;
    return true;
  };

  const worker = async (): Promise<void> => {
    while (failure.length === 0 && !stopped()) {
      try {
        const next = await tasks.next();
        if (next.done || failure.length > 0 || stopped()) return;
        const { record, job } = next.value;
        statistics.started++;
        const result = await runOne(record, job, options, endRun.signal);
        if (result === null) {
          statistics.abandoned++;
          statistics.interrupted ||= failure.length === 0;
          continue;
        }
        statistics.finished++;
        if (result.error === null) statistics.answered++;
        else statistics.errored++;
        await options.onResult(result, record);
      } catch (error) {
        fail(error);
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, options.recordsInFlight) }, worker);
  await Promise.all(workers);
  if (failure.length > 0) throw failure[0];
  return statistics;
}

async function* taskStream(options: RunRecordsOptions): AsyncGenerator<{ record: DatasetRecord; job: RunJob }> {
  for await (const record of options.records) {
    for (const job of options.jobs) {
      if (options.alreadyDone?.(record, job.cell)) continue;
      yield { record, job };
    }
  }
}

/**
 * Runs one record through one strategy. Endpoint failures for this record become its `error` and the
 * run goes on; input and template errors, fatal endpoint errors (unreachable, key refused) and bugs
 * end the run. Returns null when the run aborted the record in flight (Ctrl-C twice, or another record's
 * fatal error): it has no result, so a resumed run does it again.
 */
async function runOne(
  record: DatasetRecord,
  job: RunJob,
  options: RunRecordsOptions,
  endRun: AbortSignal,
): Promise<ResultRecord | null> {
  const started = performance.now();
  const link = linkSignals(job.context.signal, endRun);
  const signal = link.signal;
  const tally = tallyRequests(job.context.client);
  let outcome: StrategyOutcome;
  let error: string | null = null;
  try {
    outcome = await unlessAborted(job.prepared.run(record, { ...job.context, client: tally.client, signal }), signal);
  } catch (caught) {
    if (signal.aborted) return null;
    if (caught instanceof ReplayMissError)
      throw new ReplayMissError(`${record.source} (id ${record.id}, ${job.name}): ${caught.message}`);
    if (!(caught instanceof EndpointError) || caught.fatal) throw caught;
    error = caught.message;
    // Sibling calls (other samples of this record) may still be in flight; their requests count too.
    await unlessAborted(tally.settled(), signal).catch(() => undefined);
    if (signal.aborted) return null;
    outcome = {
      answer: null,
      completions: [],
      samplesUsed: 0,
      usage: zeroUsage(),
      requests: tally.total(),
      warnings: [],
    };
  } finally {
    link.unlink();
  }
  const latencyMs = Math.round(performance.now() - started);
  const correct =
    record.expected === null || error !== null
      ? null
      : answerMatches(outcome.answer, record.expected, job.answer, options.match);
  // Kept in the record; executeRun says them once per kind (warning-summary.ts), not once per record.
  const warnings = [...outcome.warnings, ...emptyReplyWarnings(outcome.completions)];
  const result: ResultRecord = {
    schema: resultSchemaId,
    id: record.id,
    strategy: job.cell.strategy,
    model: job.cell.model,
    variant: job.cell.variant,
    template: job.template,
    vars: record.vars,
    answer: outcome.answer,
    expected: record.expected,
    correct,
    completions: outcome.completions,
    ...(outcome.votes === undefined
      ? {}
      : { votes: outcome.votes, agreement: outcome.agreement == null ? null : roundRate(outcome.agreement) }),
    samplesUsed: outcome.samplesUsed,
    usage: outcome.usage,
    ...(outcome.usageEstimated === true ? { usageEstimated: true as const } : {}),
    requests: outcome.requests,
    latencyMs,
    error,
    warnings,
    ...(job.fingerprint === undefined ? {} : { fingerprint: withRecord(job.fingerprint, record) }),
    ...outcome.details,
  };
  return result;
}

/**
 * A signal for one record, aborted when either run-wide signal is. Not AbortSignal.any: on Node 20 every
 * signal it makes stays referenced from its sources (about 1 KB per record, never collected); these
 * listeners are removed when the record is done.
 */
function linkSignals(interrupt: AbortSignal, endRun: AbortSignal): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const sources = [interrupt, endRun];
  const forward = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const aborted = sources.find((source) => source.aborted);
  if (aborted !== undefined) controller.abort(aborted.reason);
  else for (const source of sources) source.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    unlink: () => {
      for (const source of sources) source.removeEventListener('abort', forward);
    },
  };
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: a request asleep in the SDK's retry wait
 * does not watch the signal, and an interrupted run must not wait for it.
 */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Replies with no text say why, so an empty answer is not mistaken for a wrong one: a refusal, a content
 * filter, or a server that sent `content: null`.
 */
export function emptyReplyWarnings(
  completions: ReadonlyArray<{ text: string; finishReason: string | null }>,
): string[] {
  const empty = completions.filter((completion) => completion.text.trim() === '');
  if (empty.length === 0) return [];
  const of = completions.length === 1 ? 'the reply' : `${empty.length} of ${completions.length} replies`;
  const reasons = [...new Set(empty.map((completion) => completion.finishReason))];
  const why = reasons.map((reason) =>
    reason === 'refusal'
      ? 'the model refused'
      : reason === 'content_filter'
        ? 'a content filter stopped it'
        : `empty content (finish_reason: ${reason ?? 'none'})`,
  );
  return [`${of} had no text: ${why.join('; ')}`];
}
