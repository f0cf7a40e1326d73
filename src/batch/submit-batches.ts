/**
 * `batch submit`, `status`, `cancel` and `resubmit`: request files become batches at the endpoint, and
 * what the endpoint says about them is written back to batch.json after every step, so an interrupted
 * submit never loses a batch id (and never submits a file twice).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BatchFailure } from './batch-output.js';
import {
  batchPaths,
  createRequestFileWriter,
  findRequestLines,
  writeBatchState,
  writeFailures,
} from './batch-directory.js';
import {
  filesAwaitingCollection,
  filesToSubmit,
  finishedStatuses,
  nextFileNumber,
  type BatchState,
  type RequestFile,
} from './batch-state.js';
import type { BatchApi, BatchInfo, RequestCounts } from './openai-batch-client.js';

/** Uploads and creates a batch for each request file not yet submitted (or only those named in `only`). */
export async function submitPendingFiles(
  directory: string,
  state: BatchState,
  api: BatchApi,
  only?: ReadonlySet<string>,
): Promise<{ state: BatchState; submitted: RequestFile[] }> {
  let current = state;
  const submitted: RequestFile[] = [];
  for (const file of filesToSubmit(state).filter((each) => only === undefined || only.has(each.name))) {
    const inputFileId = await api.uploadRequestsFile(file.name, await readFile(batchPaths(directory).file(file.name)));
    const batch = await api.createBatch(inputFileId, {
      // Shown in the OpenAI dashboard: which run, phase and file a batch belongs to.
      promptlab: `${current.strategy} ${basename(directory)} phase ${file.phase} ${file.name}`.slice(0, 512),
    });
    const done: RequestFile = {
      ...file,
      submission: { baseUrl: api.baseUrl, inputFileId, batchId: batch.id },
      status: batch.status,
    };
    current = { ...current, files: current.files.map((each) => (each.name === file.name ? done : each)) };
    await writeBatchState(directory, current);
    submitted.push(done);
  }
  return { state: current, submitted };
}

export interface BatchStatusRow {
  file: string;
  phase: number;
  kind: RequestFile['kind'];
  requests: number;
  batchId: string | null;
  /** `not submitted`, the batch status, or `collected`. */
  status: string;
  requestCounts: RequestCounts | null;
  errors: string[];
}

/** Every request file with its batch's status; batches not yet collected are asked again. */
export async function batchStatuses(
  directory: string,
  state: BatchState,
  apiFor: (file: RequestFile) => BatchApi,
): Promise<{ state: BatchState; rows: BatchStatusRow[] }> {
  const rows: BatchStatusRow[] = [];
  const files: RequestFile[] = [];
  for (const file of state.files) {
    let info: BatchInfo | null = null;
    if (file.submission !== null && !file.collected) info = await apiFor(file).retrieveBatch(file.submission.batchId);
    const status = file.submission === null ? 'not submitted' : file.collected ? 'collected' : info!.status;
    files.push(info === null ? file : { ...file, status: info.status });
    rows.push({
      file: file.name,
      phase: file.phase,
      kind: file.kind,
      requests: file.requests,
      batchId: file.submission?.batchId ?? null,
      status,
      requestCounts: info?.requestCounts ?? null,
      errors: info?.errors ?? [],
    });
  }
  const next = { ...state, files };
  await writeBatchState(directory, next);
  return { state: next, rows };
}

/** Cancels every batch that is still running; OpenAI keeps partial output, which collect then reads. */
export async function cancelRunningBatches(
  directory: string,
  state: BatchState,
  apiFor: (file: RequestFile) => BatchApi,
): Promise<{ state: BatchState; cancelled: RequestFile[] }> {
  const cancelled: RequestFile[] = [];
  let current = state;
  for (const file of filesAwaitingCollection(state)) {
    const api = apiFor(file);
    // The status on file may be stale; cancelling a finished batch is an error at the endpoint.
    const latest = await api.retrieveBatch(file.submission!.batchId);
    const info = finishedStatuses.has(latest.status) ? latest : await api.cancelBatch(file.submission!.batchId);
    const updated = { ...file, status: info.status };
    current = { ...current, files: current.files.map((each) => (each.name === file.name ? updated : each)) };
    if (info === latest) continue;
    cancelled.push(updated);
  }
  await writeBatchState(directory, current);
  return { state: current, cancelled };
}

/**
 * Writes the failed requests' original lines into new request files (split by the same limits) and
 * clears them from failures.jsonl: they are pending again until collected.
 */
export async function writeResubmission(
  directory: string,
  state: BatchState,
  failures: ReadonlyMap<string, BatchFailure>,
): Promise<{ state: BatchState; files: RequestFile[]; requests: number }> {
  const lines = await findRequestLines(directory, state.files, new Set(failures.keys()));
  if (lines.size === 0) return { state, files: [], requests: 0 };
  const phase = Math.max(...[...failures.values()].map((failure) => failure.phase));
  const writer = createRequestFileWriter(directory, {
    firstNumber: nextFileNumber(state),
    limits: state.limits,
    phase,
    kind: 'resubmitted',
  });
  try {
    for (const line of lines.values()) await writer.write(line);
  } catch (error) {
    await writer.discard();
    throw error;
  }
  const files = await writer.close();
  const next: BatchState = { ...state, files: [...state.files, ...files] };
  await writeBatchState(directory, next);
  await writeFailures(directory, new Map([...failures].filter(([customId]) => !lines.has(customId))));
  return { state: next, files, requests: lines.size };
}
