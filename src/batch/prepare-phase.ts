/**
 * `batch prepare`: a new batch directory's settings, and each phase's requests. A phase runs the
 * strategy over every record against the answers collected so far; whatever a record asks that has no
 * answer, no failure and no pending request becomes a line of this phase's request files. Nothing is sent.
 */
import { resolve } from 'node:path';
import type { CacheStore } from '../core/cached-client.js';
import { UsageError } from '../errors.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { requireModel, resolveRunConfig, temperatureFor } from '../run/run-setup.js';
import { checkReadable } from '../run/read-lines.js';
import type { BatchLedger } from './batch-clients.js';
import { appendManifest, createRequestFileWriter, sha256OfFile, writeBatchState } from './batch-directory.js';
import { runBatchPhase, type BatchRun, type PhaseCounts } from './batch-run.js';
import { batchStateSchemaId, nextFileNumber, storableFlags, type BatchState, type RequestFile } from './batch-state.js';
import type { ManifestEntry } from './manifest.js';
import { batchRequestLine, type FileLimits } from './request-lines.js';

/** Settings of a new batch run, resolved once (flags beat env beat config file, as interactively). */
export async function newBatchState(
  definition: StrategyDefinition,
  flagValues: Record<string, unknown>,
  limits: FileLimits,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Promise<{ state: BatchState; config: ResolvedConfig }> {
  const dataset = flagValues.dataset as string | undefined;
  if (dataset === undefined)
    throw new UsageError('batch prepare needs -d/--dataset FILE (the records to prepare requests for)');
  if (dataset === '-')
    throw new UsageError(
      'batch prepare -d -: later phases and collect read the dataset again, so give a file, not stdin',
    );
  await checkReadable(dataset, '--dataset');
  const config = await resolveRunConfig(flagValues, env);
  const state: BatchState = {
    schema: batchStateSchemaId,
    strategy: definition.name,
    cwd: process.cwd(),
    dataset: resolve(dataset),
    datasetSha256: await sha256OfFile(dataset, '--dataset'),
    templateSha256: null,
    flags: storableFlags(flagValues),
    model: requireModel(config),
    temperature: temperatureFor(definition, config.temperature, warn),
    maxTokens: config.maxTokens,
    seed: config.seed,
    limits,
    phase: 0,
    files: [],
  };
  return { state, config: Object.freeze({ ...config, model: state.model, temperature: state.temperature }) };
}

export interface PreparedPhase {
  state: BatchState;
  /** The phase prepared, or null when no record needed a new request. */
  phase: number | null;
  files: RequestFile[];
  requests: number;
  counts: PhaseCounts;
}

/**
 * Prepares the next phase and records it in batch.json. Records are run one at a time so the request
 * files come out in dataset order, the same on every run (no request is sent; each record only reads
 * the cache). A failure removes this phase's files: no half phase is left behind.
 */
export async function prepareNextPhase(
  directory: string,
  state: BatchState,
  run: BatchRun,
  store: CacheStore,
  ledger: BatchLedger,
): Promise<PreparedPhase> {
  const phase = state.phase + 1;
  const writer = createRequestFileWriter(directory, {
    firstNumber: nextFileNumber(state),
    limits: state.limits,
    phase,
    kind: 'prepared',
  });
  const entries: ManifestEntry[] = [];
  let counts: PhaseCounts;
  try {
    counts = await runBatchPhase(run, {
      directory,
      store,
      ledger,
      capture: { phase },
      recordsInFlight: 1,
      warn: () => undefined,
      onResult: async () => undefined,
      async onCaptured(_record, captured) {
        for (const { entry, request } of captured) {
          entry.file = await writer.write(batchRequestLine(entry.customId, run.model, request));
          entries.push(entry);
        }
      },
    });
  } catch (error) {
    await writer.discard();
    throw error;
  }
  const files = await writer.close();
  if (files.length === 0)
    return { state: { ...state, templateSha256: run.templateSha256 }, phase: null, files, requests: 0, counts };
  await appendManifest(directory, entries);
  const next: BatchState = { ...state, templateSha256: run.templateSha256, phase, files: [...state.files, ...files] };
  await writeBatchState(directory, next);
  return { state: next, phase, files, requests: entries.length, counts };
}
