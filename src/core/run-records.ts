/**
 * The runner: streams records × strategies through a fixed pool of workers, so the endpoint is kept
 * exactly as busy as allowed from the first record on (no batch-by-batch waves, no waiting for the whole
 * dataset to be read), and hands each result on as soon as it is finished.
 */
import type { AnswerSpec, MatchMode } from './answer-spec.js';
import { zeroUsage } from './chat-client.js';
import { resultSchemaId, type DatasetRecord, type ResultRecord, type StrategyOutcome } from './records.js';
import { answerMatches } from '../scoring/match-answer.js';
import { EndpointError } from '../errors.js';
import { ReplayMissError } from './cached-client.js';
import type { PreparedStrategy, RunContext } from '../strategies/strategy.js';

export interface RunJob {
  strategy: string;
  prepared: PreparedStrategy;
  context: RunContext;
}

export interface RunRecordsOptions {
  records: AsyncIterable<DatasetRecord>;
  jobs: readonly RunJob[];
  /** Records × strategies in flight at once. */
  concurrency: number;
  model: string;
  template: string;
  answer: AnswerSpec;
  match: MatchMode;
  onResult(result: ResultRecord, record: DatasetRecord): void | Promise<void>;
  /** Resume: results already on file are skipped. */
  alreadyDone?: (id: string, strategy: string) => boolean;
  /** Stops handing out new work (SIGINT); work in flight finishes. */
  stopSignal?: AbortSignal;
}

export interface RunStatistics {
  started: number;
  finished: number;
  errored: number;
  /** Records that got at least one answer back from the endpoint. */
  answered: number;
  interrupted: boolean;
}

export async function runRecords(options: RunRecordsOptions): Promise<RunStatistics> {
  const statistics: RunStatistics = { started: 0, finished: 0, errored: 0, answered: 0, interrupted: false };
  const tasks = taskStream(options);
  let failure: unknown = null;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (failure !== null) return;
      if (options.stopSignal?.aborted) {
        statistics.interrupted = true;
        return;
      }
      const next = await tasks.next();
      if (next.done) return;
      const { record, job } = next.value;
      statistics.started++;
      try {
        const result = await runOne(record, job, options);
        statistics.finished++;
        if (result.error === null) statistics.answered++;
        else statistics.errored++;
        await options.onResult(result, record);
      } catch (error) {
        failure ??= error;
        return;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, options.concurrency) }, worker);
  await Promise.all(workers);
  if (failure !== null) throw failure;
  return statistics;
}

async function* taskStream(options: RunRecordsOptions): AsyncGenerator<{ record: DatasetRecord; job: RunJob }> {
  for await (const record of options.records) {
    for (const job of options.jobs) {
      if (options.alreadyDone?.(record.id, job.strategy)) continue;
      yield { record, job };
    }
  }
}

/**
 * Runs one record through one strategy. Endpoint failures for this record become its `error` and the
 * run goes on; input and template errors, fatal endpoint errors (unreachable, key refused) and bugs
 * end the run.
 */
async function runOne(record: DatasetRecord, job: RunJob, options: RunRecordsOptions): Promise<ResultRecord> {
  const started = performance.now();
  let outcome: StrategyOutcome;
  let error: string | null = null;
  try {
    outcome = await job.prepared.run(record, job.context);
  } catch (caught) {
    if (caught instanceof ReplayMissError) throw new ReplayMissError(`${record.source} (id ${record.id}, ${job.strategy}): ${caught.message}`);
    if (!(caught instanceof EndpointError) || caught.fatal) throw caught;
    error = caught.message;
    outcome = { answer: null, completions: [], samplesUsed: 0, usage: zeroUsage(), requests: 0, warnings: [] };
  }
  const latencyMs = Math.round(performance.now() - started);
  const correct =
    record.expected === null || error !== null ? null : answerMatches(outcome.answer, record.expected, options.answer, options.match);
  for (const warning of outcome.warnings) job.context.warn(`${record.id} (${job.strategy}): ${warning}`);
  const result: ResultRecord = {
    schema: resultSchemaId,
    id: record.id,
    strategy: job.strategy,
    model: options.model,
    template: options.template,
    vars: record.vars,
    answer: outcome.answer,
    expected: record.expected,
    correct,
    completions: outcome.completions,
    ...(outcome.votes === undefined ? {} : { votes: outcome.votes, agreement: outcome.agreement ?? null }),
    samplesUsed: outcome.samplesUsed,
    usage: outcome.usage,
    requests: outcome.requests,
    latencyMs,
    error,
    warnings: outcome.warnings,
    ...outcome.details,
  };
  return result;
}
