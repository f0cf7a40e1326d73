/**
 * `batch collect`, first half: bring answers home. Finished batches' output and error files are
 * downloaded (and kept under DIR/outputs), output files made elsewhere (`--from`, e.g. by
 * `vllm run-batch`) are read, and every line is stored: each returned choice in DIR/responses under its
 * sample's cache key, each failed line in the failures map (a later success clears it).
 */
import type { CacheStore } from '../core/cached-client.js';
import { InputError } from '../errors.js';
import { checkReadable } from '../run/read-lines.js';
import { cacheEntriesFor, parseOutputLine, type BatchFailure } from './batch-output.js';
import { batchPaths, outputLinesOf, saveDownloadedOutput } from './batch-directory.js';
import { finishedStatuses, type BatchState, type RequestFile } from './batch-state.js';
import type { ManifestEntry } from './manifest.js';
import type { BatchApi } from './openai-batch-client.js';

export interface IngestCounts {
  answered: number;
  failed: number;
  /** Lines whose custom_id this directory never prepared (another directory's output?). */
  unknown: number;
}

export interface IngestTarget {
  manifest: ReadonlyMap<string, ManifestEntry>;
  /** Mutable: failed lines are added, answered ones removed. */
  failures: Map<string, BatchFailure>;
  store: CacheStore;
}

export async function ingestOutputFile(path: string, target: IngestTarget): Promise<IngestCounts> {
  const counts: IngestCounts = { answered: 0, failed: 0, unknown: 0 };
  for await (const { value, where } of outputLinesOf(path)) {
    const answer = parseOutputLine(value);
    if (typeof answer === 'string') throw new InputError(`${where}: ${answer}`);
    const entry = target.manifest.get(answer.customId);
    if (entry === undefined) {
      counts.unknown += 1;
      continue;
    }
    if (answer.ok) {
      await Promise.all(
        cacheEntriesFor(entry, answer.choices, answer.usage).map(({ key, entry: cached }) =>
          target.store.set(key, cached),
        ),
      );
      target.failures.delete(answer.customId);
      counts.answered += 1;
    } else if ((await target.store.get(entry.customId)) === null) {
      // An answer already collected (an earlier output, or a resubmission) outranks a failure read again.
      target.failures.set(answer.customId, {
        customId: answer.customId,
        phase: entry.phase,
        status: answer.status,
        message: answer.message,
      });
      counts.failed += 1;
    }
  }
  return counts;
}

/** `--from FILE`: an output file that names none of this directory's requests is a mistake worth one clear line. */
export async function ingestFromFile(path: string, target: IngestTarget): Promise<IngestCounts> {
  await checkReadable(path, '--from');
  const counts = await ingestOutputFile(path, target);
  if (counts.unknown > 0 && counts.answered + counts.failed === 0) {
    throw new InputError(
      `--from ${path}: none of its ${counts.unknown} custom_id(s) were prepared in this batch directory`,
    );
  }
  return counts;
}

export interface DownloadReport {
  state: BatchState;
  collected: RequestFile[];
  running: RequestFile[];
  counts: IngestCounts;
}

/** Retrieves each submitted, uncollected batch; reads the output and error files of those that finished. */
export async function collectFinishedBatches(
  directory: string,
  state: BatchState,
  apiFor: (file: RequestFile) => BatchApi,
  target: IngestTarget,
): Promise<DownloadReport> {
  const counts: IngestCounts = { answered: 0, failed: 0, unknown: 0 };
  const collected: RequestFile[] = [];
  const running: RequestFile[] = [];
  const files = state.files.map((file) => ({ ...file }));
  for (const file of files) {
    if (file.submission === null || file.collected) continue;
    const api = apiFor(file);
    const batch = await api.retrieveBatch(file.submission.batchId);
    file.status = batch.status;
    if (!finishedStatuses.has(batch.status)) {
      running.push(file);
      continue;
    }
    for (const [kind, fileId] of [
      ['output', batch.outputFileId],
      ['errors', batch.errorFileId],
    ] as const) {
      if (fileId === null) continue;
      const saved = await saveDownloadedOutput(
        directory,
        `${file.name.replace(/\.jsonl$/, '')}.${kind}.jsonl`,
        await api.downloadFile(fileId),
      );
      add(counts, await ingestOutputFile(saved, target));
    }
    // Lines a finished batch never ran (it failed validation, expired or was cancelled) fail too, so
    // that resubmit can send them again instead of collect waiting for them forever.
    const why = batch.status === 'completed' ? 'left it unanswered' : batch.status;
    const message = `batch ${batch.id} ${why}${batch.errors.length > 0 ? `: ${batch.errors[0]}` : ''}`;
    counts.failed += await failUnansweredLines(directory, file, message, target);
    file.collected = true;
    collected.push(file);
  }
  return { state: { ...state, files }, collected, running, counts };
}

async function failUnansweredLines(
  directory: string,
  file: RequestFile,
  message: string,
  target: IngestTarget,
): Promise<number> {
  let failed = 0;
  for await (const { value } of outputLinesOf(batchPaths(directory).file(file.name))) {
    const customId = (value as { custom_id?: unknown }).custom_id;
    const entry = typeof customId === 'string' ? target.manifest.get(customId) : undefined;
    if (entry === undefined || target.failures.has(entry.customId) || (await target.store.get(entry.customId)) !== null)
      continue;
    target.failures.set(entry.customId, { customId: entry.customId, phase: entry.phase, status: null, message });
    failed += 1;
  }
  return failed;
}

function add(total: IngestCounts, more: IngestCounts): void {
  total.answered += more.answered;
  total.failed += more.failed;
  total.unknown += more.unknown;
}
