/**
 * `promptlab batch prepare|submit|status|collect|resubmit|cancel`: the shell over src/batch — paths,
 * flags, the endpoint, the working directory and what is printed. A batch run is the interactive run
 * with a different client (see src/batch/batch-clients.ts), so collect prints the same result records.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { EndpointError, InputError, UsageError } from '../errors.js';
import { fitTextTable } from '../render/text-table.js';
import { findStrategy, strategyNames } from '../strategies/registry.js';
import { positiveInteger } from '../config/flag-values.js';
import {
  batchPaths,
  batchStateExists,
  readBatchState,
  readFailures,
  readManifest,
  writeBatchState,
  writeFailures,
} from '../batch/batch-directory.js';
import { batchRunConfig, openBatchRun, runBatchPhase } from '../batch/batch-run.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { filesAwaitingCollection, filesToSubmit, type BatchState, type RequestFile } from '../batch/batch-state.js';
import { collectFinishedBatches, ingestFromFile, type IngestTarget } from '../batch/collect-outputs.js';
import type { BatchApi } from '../batch/openai-batch-client.js';
import { newBatchState, prepareNextPhase } from '../batch/prepare-phase.js';
import { openAIBatchLimits, type FileLimits } from '../batch/request-lines.js';
import { batchStatuses, cancelRunningBatches, submitPendingFiles, writeResubmission } from '../batch/submit-batches.js';
import { createFileCacheStore } from '../run/file-cache-store.js';
import { chooseFormat } from '../run/result-sink.js';
import { resolveRunConfig } from '../run/run-setup.js';
import { createTerminal, type Terminal } from './terminal.js';
import { resultOutput } from './result-output.js';
import type { Io, OutputStream } from '../run/io.js';
import { executeRun, finishedResults } from '../run/execute-run.js';

type Flags = Record<string, unknown>;

export async function batchPrepareCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const { label, state, config } = await openPrepareTarget(target, flagValues, terminal, io.env);
  const directory = resolve(label);
  enterWorkingDirectory(state.cwd);
  const run = await openBatchRun(state, config ?? (await batchRunConfig(state, io.env)), (message) =>
    terminal.warn(message),
  );
  const ledger = { manifest: await readManifest(directory), failures: await readFailures(directory) };
  const prepared = await prepareNextPhase(
    directory,
    state,
    run,
    createFileCacheStore(batchPaths(directory).responses),
    ledger,
  );
  if (state.phase === 0 && prepared.phase === null) await writeBatchState(directory, prepared.state);
  const { counts } = prepared;
  const fileNames = prepared.files.map((file) => file.name).join(', ');
  printReport(
    flagValues,
    {
      schema: 'promptlab.batch-prepare/v1',
      directory,
      phase: prepared.phase,
      requests: prepared.requests,
      files: prepared.files.map(({ name, requests, bytes }) => ({ name, requests, bytes })),
      records: counts,
    },
    prepared.phase === null
      ? `nothing to prepare in ${label}: ${counts.answered} records answered, ${counts.errored} errored, ${counts.waiting} waiting for requests already prepared`
      : `phase ${prepared.phase}: ${prepared.requests} requests for ${counts.captured} records in ${prepared.files.length} file(s) (${fileNames}); next: promptlab batch submit ${label}`,
    io.stdout,
  );
}

export async function batchSubmitCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const directory = resolve(target);
  const state = await readBatchState(directory);
  if (filesToSubmit(state).length === 0)
    return printReport(
      flagValues,
      { schema: 'promptlab.batch-submit/v1', directory, submitted: [] },
      `nothing to submit in ${target}: every request file has a batch`,
      io.stdout,
    );
  const endpoint = await batchEndpoint(flagValues, state, io.env);
  const { submitted } = await submitPendingFiles(directory, state, endpoint.forNewBatches());
  reportSubmitted(flagValues, target, directory, submitted, io);
}

export async function batchStatusCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const directory = resolve(target);
  const state = await readBatchState(directory);
  const endpoint = await batchEndpoint(flagValues, state, io.env);
  const { rows } = await batchStatuses(directory, state, endpoint.forFile);
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const table = fitTextTable(
    [
      { header: 'file', align: 'left' },
      { header: 'phase', align: 'right' },
      { header: 'requests', align: 'right' },
      { header: 'batch', align: 'left', flexible: true },
      { header: 'status', align: 'left' },
      { header: 'done', align: 'right' },
      { header: 'failed', align: 'left' },
    ],
    rows.map((row) => [
      `${row.file}${row.kind === 'resubmitted' ? ' (resubmitted)' : ''}`,
      String(row.phase),
      String(row.requests),
      row.batchId ?? '-',
      row.status,
      row.requestCounts === null ? '' : `${row.requestCounts.completed}/${row.requestCounts.total}`,
      row.requestCounts === null ? '' : String(row.requestCounts.failed),
    ]),
    terminal.stdoutColumns,
  ).text;
  printReport(
    flagValues,
    { schema: 'promptlab.batch-status/v1', directory, phase: state.phase, files: rows },
    rows.length === 0 ? `${target}: no request files` : table,
    io.stdout,
  );
}

export async function batchCancelCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const directory = resolve(target);
  const state = await readBatchState(directory);
  const endpoint = await batchEndpoint(flagValues, state, io.env);
  const { cancelled } = await cancelRunningBatches(directory, state, endpoint.forFile);
  printReport(
    flagValues,
    {
      schema: 'promptlab.batch-cancel/v1',
      directory,
      cancelled: cancelled.map((file) => ({ file: file.name, batchId: file.submission?.batchId, status: file.status })),
    },
    cancelled.length === 0
      ? `nothing to cancel in ${target}: no batch is running`
      : `cancelling ${cancelled.length} batch(es); "promptlab batch collect ${target}" reads their partial output once cancelled`,
    io.stdout,
  );
}

export async function batchResubmitCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const directory = resolve(target);
  const failures = await readFailures(directory);
  if (failures.size === 0)
    return printReport(
      flagValues,
      { schema: 'promptlab.batch-submit/v1', directory, submitted: [] },
      `nothing to resubmit in ${target}: no failed requests`,
      io.stdout,
    );
  const written = await writeResubmission(directory, await readBatchState(directory), failures);
  if (flagValues.submit === false) {
    const names = written.files.map((file) => file.name).join(', ');
    return printReport(
      flagValues,
      { schema: 'promptlab.batch-prepare/v1', directory, requests: written.requests, files: written.files },
      `${written.requests} failed requests written to ${names} (not submitted)`,
      io.stdout,
    );
  }
  const endpoint = await batchEndpoint(flagValues, written.state, io.env);
  const { submitted } = await submitPendingFiles(
    directory,
    written.state,
    endpoint.forNewBatches(),
    new Set(written.files.map((file) => file.name)),
  );
  reportSubmitted(flagValues, target, directory, submitted, io);
}

export async function batchCollectCommand(target: string, flagValues: Flags, io: Io): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const directory = resolve(target);
  const format = chooseFormat(flagValues, io.stdout);
  const outputPath = flagValues.output === undefined ? null : resolve(String(flagValues.output));
  const store = createFileCacheStore(batchPaths(directory).responses);
  const manifest = await readManifest(directory);
  const failures = await readFailures(directory);
  const ingested = await bringAnswersHome(
    directory,
    await readBatchState(directory),
    flagValues,
    { manifest, failures, store },
    terminal,
    io.env,
  );
  const { state } = ingested;
  await writeFailures(directory, failures);

  enterWorkingDirectory(state.cwd);
  const run = await openBatchRun(state, await batchRunConfig(state, io.env), (message) => terminal.warn(message));
  const finished: Array<{ result: ResultRecord; record: DatasetRecord }> = [];
  const counts = await runBatchPhase(run, {
    directory: target,
    store,
    ledger: { manifest, failures },
    capture: null,
    recordsInFlight: run.recordsInFlight,
    warn: (message) => terminal.warn(message),
    onResult: async (result, record) => void finished.push({ result, record }),
  });
  if (counts.waiting + counts.unprepared > 0) {
    // Incomplete results are not results: say what is missing and how to get it, print none.
    const unprepared = `${counts.unprepared} of ${counts.records} records need phase ${state.phase + 1}: run "promptlab batch prepare ${target}", then submit and collect it`;
    if (counts.waiting === 0) {
      // The next phase is the next step of a run in phases, not a failure.
      io.stderr.write(`promptlab: ${unprepared}\n`);
      return;
    }
    if (counts.unprepared > 0) io.stderr.write(`promptlab: ${unprepared}\n`);
    const running = ingested.running.length;
    const where =
      running > 0
        ? `${running} batch(es) still running ("promptlab batch status ${target}")`
        : `not answered yet: "promptlab batch submit ${target}", or collect vllm run-batch output with --from FILE`;
    // Nothing to print, so nothing for a script to read: exit 3, as when an endpoint leaves the run inconclusive.
    throw new EndpointError(
      `collected no results: ${counts.waiting} of ${counts.records} records wait for requests already prepared: ${where}`,
    );
  }
  finished.sort((left, right) => left.record.index - right.record.index);
  await executeRun({
    source: finishedResults(finished),
    cells: [{ model: run.model, strategy: run.strategy, variant: null, template: run.template, answer: run.answer }],
    resume: null,
    openOutput: resultOutput({
      format,
      outputPath,
      single: false,
      verbose: flagValues.verbose === true,
      run: { strategy: run.strategy, model: run.model, template: run.template },
      terminal,
      stdout: io.stdout,
    }),
    endpoint: { label: target, throttling: null },
    maxErrors: run.maxErrors,
    callbacks: { warn: (message) => terminal.warn(message), note: (message) => terminal.note(message) },
  });
}

/** Finished batches' output and error files, then each --from file, into DIR/responses and the failures map. */
async function bringAnswersHome(
  directory: string,
  state: BatchState,
  flagValues: Flags,
  target: IngestTarget,
  terminal: Terminal,
  env: Io['env'],
): Promise<{ state: BatchState; running: RequestFile[] }> {
  let current = state;
  let running: RequestFile[] = [];
  if (filesAwaitingCollection(state).length > 0) {
    const endpoint = await batchEndpoint(flagValues, state, env);
    const downloaded = await collectFinishedBatches(directory, state, endpoint.forFile, target);
    current = downloaded.state;
    running = downloaded.running;
    await writeBatchState(directory, current);
    const { answered, failed } = downloaded.counts;
    if (downloaded.collected.length > 0)
      terminal.note(
        `collected ${downloaded.collected.length} batch(es): ${answered} requests answered, ${failed} failed`,
      );
  }
  for (const from of (flagValues.from as string[] | undefined) ?? []) {
    const counts = await ingestFromFile(resolve(from), target);
    terminal.note(
      `--from ${from}: ${counts.answered} requests answered, ${counts.failed} failed${counts.unknown > 0 ? `, ${counts.unknown} not from this batch` : ''}`,
    );
  }
  return { state: current, running };
}

/**
 * Run flags `batch prepare` accepts (it shares the strategy's options) but that no phase uses: it sends
 * nothing and writes no results; submit and collect take their own endpoint and output flags.
 */
const interactiveOnlyFlags = [
  'jsonl',
  'concurrency',
  'timeout',
  'retries',
  'maxRetryWait',
  'cache',
  'replay',
  'dryRun',
  'verbose',
];

/** `prepare <strategy> -o DIR` starts a batch directory; `prepare DIR` continues one from its batch.json. */
async function openPrepareTarget(
  target: string,
  flagValues: Flags,
  terminal: Terminal,
  env: Io['env'],
): Promise<{ label: string; state: BatchState; config: ResolvedConfig | null }> {
  const definition = findStrategy(target);
  if (definition !== undefined) {
    const label = (flagValues.output as string | undefined) ?? '';
    if (label === '') throw new UsageError(`batch prepare ${target}: -o DIR names the batch directory to create`);
    if (await batchStateExists(resolve(label))) {
      throw new UsageError(
        `-o ${label}: already holds a batch; "promptlab batch prepare ${label}" prepares its next phase`,
      );
    }
    // Said after the note on ignored flags, which only makes sense once the settings are known to be good.
    const settingWarnings: string[] = [];
    const { state, config } = await newBatchState(definition, flagValues, fileLimits(flagValues), env, (message) =>
      settingWarnings.push(message),
    );
    const ignored = interactiveOnlyFlags.filter((name) => flagValues[name] !== undefined);
    if (ignored.length > 0)
      terminal.warn(
        `batch prepare ${target}: ${flagList(ignored, flagValues)} ${ignored.length === 1 ? 'only applies' : 'only apply'} to an interactive run; ignoring ${ignored.length === 1 ? 'it' : 'them'}`,
      );
    for (const message of settingWarnings) terminal.warn(message);
    await mkdir(resolve(label), { recursive: true, mode: 0o700 });
    return { label, state, config };
  }
  if (!(await batchStateExists(resolve(target)))) {
    throw new UsageError(
      `batch prepare: "${target}" is neither a strategy (${strategyNames().join(', ')}) nor a batch directory (no batch.json)`,
    );
  }
  const ignored = Object.keys(flagValues).filter((name) => !['quiet', 'debug', 'json'].includes(name));
  if (ignored.length > 0)
    terminal.warn(
      `batch prepare ${target}: settings come from its batch.json; ignoring ${flagList(ignored, flagValues)}`,
    );
  const state = await readBatchState(resolve(target));
  return { label: target, state, config: null };
}

function reportSubmitted(flagValues: Flags, label: string, directory: string, submitted: RequestFile[], io: Io): void {
  const batches = submitted.map((file) => ({
    file: file.name,
    batchId: file.submission!.batchId,
    status: file.status,
    requests: file.requests,
  }));
  printReport(
    flagValues,
    { schema: 'promptlab.batch-submit/v1', directory, submitted: batches },
    `submitted ${batches.length} batch(es): ${batches.map((batch) => `${batch.file} → ${batch.batchId}`).join(', ')}; follow with: promptlab batch status ${label}`,
    io.stdout,
  );
}

/** A person at a terminal gets the line; a pipe (or --json) gets the JSON document. */
function printReport(flagValues: Flags, document: object, human: string, stdout: OutputStream): void {
  const json = flagValues.json === true || !stdout.isTTY;
  stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${human}\n`);
}

/**
 * The Batch API at the endpoint (flags beat env beat config). A submitted batch lives where it was
 * created, so status and collect go back to the base URL stored with it unless --base-url says otherwise.
 */
async function batchEndpoint(
  flagValues: Flags,
  state: BatchState,
  env: Io['env'],
): Promise<{ forNewBatches(): BatchApi; forFile(file: RequestFile): BatchApi }> {
  const config = await resolveRunConfig(flagValues, env);
  const { createOpenAIBatchApi } = await import('../batch/openai-batch-client.js');
  const apis = new Map<string, BatchApi>();
  const at = (baseUrl: string): BatchApi => {
    if (!apis.has(baseUrl))
      apis.set(
        baseUrl,
        createOpenAIBatchApi({
          baseUrl,
          apiKey: config.apiKey,
          timeoutMs: config.timeoutMs,
          maxRetries: config.retries,
        }),
      );
    return apis.get(baseUrl)!;
  };
  const fromFlag = flagValues.baseUrl === undefined ? null : config.baseUrl;
  // Later phases and resubmissions go where the first batches went, so one run stays at one endpoint.
  const previous = state.files.findLast((file) => file.submission !== null)?.submission?.baseUrl ?? null;
  return {
    forNewBatches: () => at(fromFlag ?? previous ?? config.baseUrl),
    forFile: (file) => at(fromFlag ?? file.submission?.baseUrl ?? config.baseUrl),
  };
}

function fileLimits(flagValues: Flags): FileLimits {
  return {
    maxRequests:
      flagValues.maxRequestsPerFile === undefined
        ? openAIBatchLimits.maxRequests
        : positiveInteger(flagValues.maxRequestsPerFile, '--max-requests-per-file'),
    maxBytes:
      flagValues.maxFileBytes === undefined
        ? openAIBatchLimits.maxBytes
        : positiveInteger(flagValues.maxFileBytes, '--max-file-bytes'),
  };
}

/** Templates, examples and --vars @file resolve as they did when prepare ran, wherever the later command runs. */
function enterWorkingDirectory(cwd: string): void {
  try {
    process.chdir(cwd);
  } catch (error) {
    throw new InputError(
      `batch.json: cannot enter ${cwd}, where prepare ran and relative paths resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The flags as typed: commander's `cache: false` came from --no-cache. */
const flagList = (names: string[], flagValues: Flags): string =>
  names.map((name) => `--${flagValues[name] === false ? 'no-' : ''}${kebab(name)}`).join(', ');
