/**
 * The end of every run, written once: the strategy commands, `compare` and `batch collect` hand their
 * results to executeRun, which picks up a --resume file, watches for Ctrl-C, keeps the summaries, writes
 * each result to the output as it comes, and ends the run the same way every time — what to say when it
 * fails half way, the throttling note, the note that most answers were guessed (extraction-note.ts), the
 * document after the results, then exit 130 when interrupted, exit 3 when no record got an answer, exit 4
 * when a gate failed.
 *
 * Where results come from is a ResultSource: a live run of jobs over the records (liveResults in
 * run-records.ts) or results already in hand (finishedResults). What the person running it sees comes
 * through callbacks: this layer never holds the terminal.
 */
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import type { AnswerSpec } from '../core/answer-spec.js';
import { cellId, cellNamer, cellOf, type Cell } from '../core/cells.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { EndpointError, GateError, InputError } from '../errors.js';
import type { GateOutcome } from '../scoring/gate-outcome.js';
import { createExtractionTally, type ExtractionTally } from '../scoring/extraction-note.js';
import { createWarningSummary } from '../scoring/warning-summary.js';
import { checkMaxErrors, type ErrorLimit } from '../scoring/max-errors.js';
import {
  cellSummary,
  createSummaryAccumulator,
  type CellSummary,
  type SummaryAccumulator,
} from '../scoring/summary.js';
import { stoppingMessage, watchInterrupts } from './interrupts.js';
import type { RunNotices } from './notices.js';
import { interruptedError, loadResume, resumeAfterFailureHint } from './resume-hints.js';
import type { JobFingerprint } from './run-fingerprint.js';
import { noRunYet, type ResultSource, type RunStatistics } from './run-records.js';

/** Where a run's results go: a result file or stdout, a report; made by the command, driven by executeRun. */
export interface RunOutput {
  write(result: ResultRecord, record: DatasetRecord): Promise<void>;
  /** The run failed: keep what was written (a JSONL file stays, for --resume) and write nothing more. */
  abandon(): Promise<void>;
  /** The run is over: write what follows the results (a JSON document, a report, the summary). */
  finish(ending: RunEnding): Promise<void>;
  /** The JSONL file results are appended to, which --resume can pick up; null when there is none. */
  resumable: string | null;
  /** True when the output shows each record's warnings to the person running it: stderr then does not repeat them. */
  showsWarnings?: boolean;
}

/** How the run went, once every result is in. */
export interface RunEnding {
  /** One per cell, in the order given, the results of a --resume file included. */
  summaries: CellSummary[];
  /** cellId → record id → correct, for paired comparisons. */
  correctness: ReadonlyMap<string, ReadonlyMap<string, boolean | null>>;
  statistics: RunStatistics;
  /** Throttling seen at the endpoint; null when no endpoint was called. */
  endpoint: ThrottleReport | null;
}

/** Per cell (by its name, cellNamer), results finished in this run and how many of them errored. */
export interface RunProgress {
  counts: ReadonlyMap<string, { done: number; errors: number }>;
  elapsedMs: number;
}

export interface RunCallbacks extends RunNotices {
  /** After each result. */
  progress?(progress: RunProgress): void;
  /** The run is over (or failed): no more progress. */
  stopProgress?(): void;
}

/** A cell as the run's ending needs it: what --resume checks the file against, and how answers were read. */
export interface RunCell extends Cell {
  template: string;
  /** A cell whose answers were mostly guessed by the fallback says so once. */
  answer: AnswerSpec;
  /** What the cell's jobs write on their results (jobFingerprint); none for results already in hand. */
  fingerprint?: JobFingerprint;
}

export interface ExecuteRunOptions {
  source: ResultSource;
  /** Summaries are kept per cell, in this order (a StrategyJob is one). */
  cells: readonly RunCell[];
  /**
   * The cell a result counts towards; default its own (model, strategy, variant). tune counts every
   * candidate's evaluations towards its strategy's one cell.
   */
  summarisedAs?(result: ResultRecord): Cell;
  /** --resume FILE, and the JSONL output it continues (resumeOutputPath); null without --resume. */
  resume: { flagValues: Record<string, unknown>; outputPath: string } | null;
  /** Opens the output; `append` when a --resume file is continued. */
  openOutput(append: boolean): Promise<RunOutput>;
  /** Names the endpoint in "no record got an answer"; `throttling` reports what it throttled. */
  endpoint: { label: string; throttling: { report(): ThrottleReport; concurrency: number } | null };
  maxErrors: ErrorLimit;
  /** Gates checked before --max-errors (compare's --fail-under and --baseline). */
  gates?(ending: RunEnding): GateOutcome[];
  /** Records in the dataset, counted only when the run is interrupted (its summaries then say how far it got); null when unknown (stdin). */
  countRecords?(): Promise<number | null>;
  callbacks: RunCallbacks;
}

export async function executeRun(options: ExecuteRunOptions): Promise<RunEnding> {
  const { callbacks } = options;
  const cells = options.cells.map(cellOf);
  const summarisedAs = options.summarisedAs ?? cellOf;
  const nameOf = cellNamer(cells);
  const accumulators = new Map<string, SummaryAccumulator>(
    cells.map((cell) => [cellId(cell), createSummaryAccumulator(cell.strategy)]),
  );
  const resume =
    options.resume === null
      ? null
      : await loadResume(
          options.resume.flagValues,
          options.resume.outputPath,
          options.cells,
          (result) => accumulators.get(cellId(summarisedAs(result)))?.add(result),
          callbacks,
        );
  const output = await options.openOutput(resume !== null);
  const resumePath = String(options.resume?.flagValues.resume ?? '');
  const counts = new Map(cells.map((cell) => [nameOf(cell), { done: 0, errors: 0 }]));
  // Only this run's results: a --resume file's were judged when they were written.
  const extraction = extractionTallies(options.cells);
  const warnings = createWarningSummary((result) => nameOf(summarisedAs(result)));
  const interrupts = watchInterrupts((signal, graceMs) => callbacks.warn(stoppingMessage(signal, graceMs)));
  const startedAt = performance.now();
  let written = resume?.kept ?? 0;
  let firstError: string | null = null;
  let statistics: RunStatistics;
  try {
    statistics = await options.source.run(
      async (result, record) => {
        written++;
        firstError ??= result.error;
        const cell = summarisedAs(result);
        accumulators.get(cellId(cell))?.add(result);
        extraction.get(cellId(cell))?.add(result);
        warnings.add(result);
        const count = counts.get(nameOf(cell));
        if (count !== undefined) {
          count.done++;
          if (result.error !== null) count.errors++;
        }
        await output.write(result, record);
        callbacks.progress?.({ counts, elapsedMs: performance.now() - startedAt });
      },
      {
        stopSignal: interrupts.stopSignal,
        abortSignal: interrupts.abortSignal,
        isDone:
          resume === null
            ? () => false
            : (record, cell) => {
                resume.checkRecord(record, cell, resumePath);
                return resume.isDone(record.id, cell);
              },
      },
    );
  } catch (error) {
    await output.abandon();
    // Only an endpoint that stopped working leaves a run to pick up as it is; bad input needs a change first.
    const hint = error instanceof EndpointError ? resumeAfterFailureHint(written, output.resumable) : null;
    if (hint !== null) callbacks.warn(hint);
    throw error;
  } finally {
    callbacks.stopProgress?.();
    interrupts.dispose();
    if (output.showsWarnings !== true) for (const line of warnings.lines()) callbacks.warn(line);
    const { throttling } = options.endpoint;
    const note = throttling === null ? null : throttleNote(throttling.report(), throttling.concurrency);
    if (note !== null) callbacks.warn(note);
  }

  // Every record came by: results the file holds for others were made from another dataset.
  const unseen = resume === null || statistics.interrupted ? [] : resume.unseen(cells);
  if (unseen.length > 0) {
    await output.abandon();
    throw notInDataset(resumePath, unseen, options.resume?.flagValues.dataset);
  }

  for (const tally of new Set(extraction.values())) {
    const guessed = tally.note();
    if (guessed !== null) callbacks.warn(guessed);
  }
  // An interrupted run's summaries say so, and out of how many records, so a document cut short never looks whole.
  const cutShort = statistics.interrupted
    ? { interrupted: true as const, total: (await options.countRecords?.().catch(() => null)) ?? null }
    : {};
  const ending: RunEnding = {
    summaries: cells.map((cell) => ({ ...cellSummary(cell, accumulators.get(cellId(cell))!.finish()), ...cutShort })),
    correctness: new Map(cells.map((cell) => [cellId(cell), accumulators.get(cellId(cell))!.correctness()])),
    statistics,
    endpoint: options.endpoint.throttling?.report() ?? null,
  };
  await output.finish(ending);
  if (statistics.interrupted) throw interruptedError(statistics.finished, output.resumable);
  if (statistics.errored > 0 && statistics.answered === 0) {
    throw new EndpointError(`${options.endpoint.label}: no record got an answer (${firstError ?? 'unknown error'})`);
  }
  const gates = [...(options.gates?.(ending) ?? []), ...checkMaxErrors(ending.summaries, options.maxErrors)];
  if (gates.length > 0) {
    // Every failed gate gets its line (the others printed before this one), so none says "and N more".
    const [first, ...more] = gates.map((gate) => gate.message);
    throw new GateError(`gate failed: ${first}`, { more: more.map((message) => `gate failed: ${message}`) });
  }
  return ending;
}

function notInDataset(resumePath: string, ids: readonly string[], dataset: unknown): InputError {
  const shown = ids.length > 3 ? `${ids.slice(0, 3).join(', ')}, …` : ids.join(', ');
  const from = dataset === undefined || dataset === '-' ? 'the dataset' : String(dataset);
  return new InputError(
    `--resume ${resumePath}: holds results for ${ids.length} record(s) that ${from} does not have (${shown}); it was written from another dataset: resume with that one, or write to a new file`,
  );
}

/** One tally per answer spec, shared by the cells that read answers alike (cellId → tally). */
function extractionTallies(cells: readonly RunCell[]): Map<string, ExtractionTally> {
  const bySpec = new Map<string, ExtractionTally>();
  return new Map(
    cells.map((cell) => {
      const spec = JSON.stringify(cell.answer);
      if (!bySpec.has(spec)) bySpec.set(spec, createExtractionTally(cell.answer));
      return [cellId(cell), bySpec.get(spec)!];
    }),
  );
}

/** Results already in hand (batch collect), handed on in the order given. */
export function finishedResults(
  finished: ReadonlyArray<{ result: ResultRecord; record: DatasetRecord }>,
): ResultSource {
  return {
    async run(emit, signals) {
      const statistics = noRunYet();
      for (const { result, record } of finished) {
        if (signals.stopSignal.aborted) {
          statistics.interrupted = true;
          break;
        }
        statistics.started++;
        statistics.finished++;
        if (result.error === null) statistics.answered++;
        else statistics.errored++;
        await emit(result, record);
      }
      return statistics;
    },
  };
}

/** The stderr line that says how much the endpoint throttled; null when it did not. */
export function throttleNote(report: ThrottleReport, concurrency: number): string | null {
  if (report.throttled === 0) return null;
  const times = report.throttled === 1 ? 'once' : `${report.throttled} times`;
  const lowered =
    report.minConcurrency < concurrency
      ? `; requests in flight went down to ${report.minConcurrency} of ${concurrency}`
      : '';
  return `the endpoint throttled ${times} (429/503)${lowered}`;
}
