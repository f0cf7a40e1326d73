/**
 * One pass of the strategy over the dataset against the batch directory's answers: the shared step of
 * `batch prepare` (which captures what is missing) and `batch collect` (which emits what is complete).
 * The strategy, template, answer spec and records are rebuilt from batch.json with the same helpers an
 * interactive run uses, so both phases and the interactive run compute the very same requests.
 */
import type { CacheStore } from '../core/cached-client.js';
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { optionFiles } from '../run/option-files.js';
import { jobFingerprint, type JobFingerprint } from '../run/run-fingerprint.js';
import { recordsInFlight, runRecords } from '../run/run-records.js';
import { newEndpointKnowledge } from '../core/sample-completions.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { InputError } from '../errors.js';
import { parseMaxErrors, type ErrorLimit } from '../scoring/max-errors.js';
import { findStrategy } from '../strategies/registry.js';
import { prepareStrategy, type PreparedStrategy } from '../strategies/strategy.js';
import {
  loadRunTemplate,
  openRecords,
  resolveAnswerSpec,
  resolveMatch,
  resolvePick,
  resolveRunConfig,
  strategySetup,
} from '../run/run-setup.js';
import { forBatchPhase, type BatchLedger, type CapturedRequest } from './batch-clients.js';
import { sha256OfFile } from './batch-directory.js';
import type { BatchState } from './batch-state.js';

export interface BatchRun {
  strategy: string;
  prepared: PreparedStrategy;
  records: AsyncIterable<DatasetRecord>;
  model: string;
  template: string;
  templateSha256: string;
  answer: AnswerSpec;
  match: MatchMode;
  temperature: number;
  maxTokens: number | null;
  seed: number | null;
  recordsInFlight: number;
  maxErrors: ErrorLimit;
  /** What the run is, on each result as an interactive run writes it (so --resume can continue a collected file). */
  fingerprint: JobFingerprint;
}

/**
 * The settings of a later phase: what prepare resolved (model and sampling, stored in batch.json) over the
 * stored flags resolved again, for what may change between phases (the endpoint's key, say).
 */
export async function batchRunConfig(
  state: BatchState,
  env: Record<string, string | undefined>,
): Promise<ResolvedConfig> {
  const resolved = await resolveRunConfig({ ...state.flags, dataset: state.dataset }, env);
  return Object.freeze({
    ...resolved,
    model: state.model,
    temperature: state.temperature,
    maxTokens: state.maxTokens,
    seed: state.seed,
  });
}

/**
 * Rebuilds the run batch.json describes, with its settings (newBatchState's for the first phase,
 * batchRunConfig's after). Expects the working directory to be `state.cwd`.
 */
export async function openBatchRun(
  state: BatchState,
  config: ResolvedConfig,
  warn: (message: string) => void,
): Promise<BatchRun> {
  const definition = findStrategy(state.strategy);
  if (definition === undefined) throw new InputError(`batch.json: unknown strategy "${state.strategy}"`);
  if ((await sha256OfFile(state.dataset, '--dataset')) !== state.datasetSha256) {
    throw new InputError(
      `--dataset ${state.dataset}: changed since "batch prepare" (its requests no longer match); prepare a new batch directory`,
    );
  }
  const flags: Record<string, unknown> = { ...state.flags, dataset: state.dataset };
  const template = await loadRunTemplate(flags);
  const templateSha256 = await sha256OfFile(template.path, '--template');
  if (state.templateSha256 !== null && templateSha256 !== state.templateSha256) {
    throw new InputError(
      `template ${template.name} (${template.path}): changed since "batch prepare" (its requests no longer match); prepare a new batch directory`,
    );
  }
  const answer = resolveAnswerSpec(flags, template);
  // The strategy parses the option files it names and the fingerprint hashes them: one read for both.
  const files = optionFiles();
  const prepared = await prepareStrategy(
    definition,
    flags,
    strategySetup(template, answer, resolvePick(flags), config, warn, undefined, files),
  );
  const { records } = await openRecords(flags, undefined, template);
  const match = resolveMatch(flags);
  const fingerprint = await jobFingerprint(
    {
      template,
      definition,
      flagValues: flags,
      temperature: state.temperature,
      maxTokens: state.maxTokens,
      seed: state.seed,
      answer,
      match,
    },
    files,
  );
  return {
    strategy: definition.name,
    prepared,
    records,
    model: state.model,
    template: template.name,
    templateSha256,
    answer,
    match,
    temperature: state.temperature,
    maxTokens: state.maxTokens,
    seed: state.seed,
    recordsInFlight: recordsInFlight(config.concurrency),
    maxErrors: parseMaxErrors(String(flags.maxErrors ?? '0')),
    fingerprint,
  };
}

export interface PhaseCounts {
  records: number;
  /** Records whose run finished from collected answers. */
  answered: number;
  /** Records that ended in an error (a failed batch line, or what would fail interactively). */
  errored: number;
  /** Records waiting for requests already prepared (submitted, or not yet collected). */
  waiting: number;
  /** Records that need requests not prepared yet: the next phase. */
  unprepared: number;
  /** Records that got new requests in this pass (prepare only). */
  captured: number;
}

export interface PhaseOptions {
  /** The batch directory as the person named it (in the commands errors suggest). */
  directory: string;
  store: CacheStore;
  ledger: BatchLedger;
  /** Prepare: capture new requests as this phase's batch lines. Collect: null. */
  capture: { phase: number } | null;
  recordsInFlight: number;
  onCaptured?(record: DatasetRecord, captured: CapturedRequest[]): Promise<void>;
  warn(message: string): void;
  /** Finished records only (answered or errored), as the runner reports them. */
  onResult(result: ResultRecord, record: DatasetRecord): Promise<void>;
}

export async function runBatchPhase(run: BatchRun, options: PhaseOptions): Promise<PhaseCounts> {
  const counts: PhaseCounts = { records: 0, answered: 0, errored: 0, waiting: 0, unprepared: 0, captured: 0 };
  const prepared = forBatchPhase(run.prepared, {
    model: run.model,
    directory: options.directory,
    ledger: options.ledger,
    store: options.store,
    capture: options.capture === null ? null : { phase: options.capture.phase, strategy: run.strategy },
    async onRecordSettled(record, requests) {
      if (requests.captured.length > 0) {
        counts.captured += 1;
        await options.onCaptured?.(record, requests.captured);
      }
    },
  });
  await runRecords({
    records: run.records,
    jobs: [
      {
        cell: { model: run.model, strategy: run.strategy, variant: null },
        name: run.strategy,
        template: run.template,
        answer: run.answer,
        prepared,
        fingerprint: run.fingerprint,
        context: {
          client: unusedClient(run.model),
          temperature: run.temperature,
          maxTokens: run.maxTokens,
          seed: run.seed,
          endpoint: newEndpointKnowledge(),
          signal: new AbortController().signal,
          warn: (message) => options.warn(message),
        },
      },
    ],
    recordsInFlight: options.recordsInFlight,
    match: run.match,
    async onResult(result, record) {
      counts.records += 1;
      const reason = prepared.unansweredReason(record);
      if (reason === 'unprepared') counts.unprepared += 1;
      if (reason === 'waiting') counts.waiting += 1;
      if (reason !== null) return;
      if (result.error === null) counts.answered += 1;
      else counts.errored += 1;
      await options.onResult(result, record);
    },
  });
  return counts;
}

/** Every record's run gets its own client from forBatchPhase; this one is never called. */
function unusedClient(model: string) {
  const unused = async (): Promise<never> => {
    throw new Error('batch phase: the run context client is replaced per record');
  };
  return { model, chat: unused, embed: unused };
}
