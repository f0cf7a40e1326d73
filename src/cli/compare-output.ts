/**
 * Where a compare or eval run's results go: one or several outputs at once (`compare --format json -o
 * x.json` is one; an eval file may ask for a table on the terminal, JSON, HTML and JUnit files). JSON
 * Lines outputs get each result as it finishes (then one summary line per cell); the others are written
 * when the run is over, from the report and the results kept for them.
 */
import { readFile } from 'node:fs/promises';
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import type { AnswerSpec, MatchMode } from '../core/answer-spec.js';
import { cellId, cellNamer, cellOf, type Cell } from '../core/cells.js';
import type { CellSummary } from '../scoring/summary.js';
import { summarySchemaId, type ResultRecord } from '../core/records.js';
import { UsageError } from '../errors.js';
import { noColors } from '../render/colors.js';
import type { CompareFormat } from '../render/compare-formats.js';
import { renderCompareMarkdown } from '../render/compare-markdown.js';
import { renderCompareTable } from '../render/compare-table.js';
import { renderJunit } from '../render/junit.js';
import type { ModelPrice } from '../report/prices.js';
import type { RunOutput } from '../run/execute-run.js';
import type { OutputStream } from '../run/io.js';
import { createResultSink, type ResultSink } from '../run/result-sink.js';
import { checkWritableOutput, refuseInputAsOutput, writeRunFile, type InputFile } from '../run/write-file.js';
import { buildCompareReport, type CompareReport } from '../scoring/compare-report.js';
import { reportForJson, summaryForJson } from '../scoring/json-numbers.js';
import { sayWhereResultsWent } from './run-view.js';
import type { Terminal } from './terminal.js';

export type { CompareFormat } from '../render/compare-formats.js';

export interface OutputTarget {
  format: CompareFormat;
  /** null: stdout. */
  path: string | null;
  /** How errors name the output's path: `-o`, or the eval file's key. */
  label: string;
}

/** What the HTML page needs beyond the results. */
export interface HtmlOptions {
  answer: AnswerSpec;
  match: MatchMode;
  prices: Map<string, ModelPrice>;
  /** What the page says it was made by. */
  source: string;
}

/**
 * At most one output on stdout; no output is an input of the run (the dataset, examples); every file
 * output can be written before any request is paid for.
 */
export async function checkOutputs(targets: readonly OutputTarget[], inputs: InputFile[]): Promise<void> {
  if (targets.filter((target) => target.path === null).length > 1)
    throw new UsageError(`outputs: only one can go to stdout (${targets.map(describeTarget).join(', ')})`);
  const paths = targets.flatMap((target) => (target.path === null ? [] : [target.path]));
  const twice = paths.find((path, index) => paths.indexOf(path) !== index);
  if (twice !== undefined) throw new UsageError(`outputs: ${twice} is written twice`);
  for (const target of targets) {
    if (target.path === null) continue;
    await refuseInputAsOutput({ flag: target.label, path: target.path }, inputs);
    if (target.format !== 'jsonl') await checkWritableOutput(target.path, target.label);
  }
}

const describeTarget = (target: OutputTarget): string =>
  `${target.format}${target.path === null ? '' : ` ${target.path}`}`;

export function compareOutput(options: {
  targets: readonly OutputTarget[];
  /** The cells in the run's order (results are sorted by record, then by this). */
  cells: readonly Cell[];
  baseline: Cell;
  alpha: number;
  /** Null unless an output is html. */
  html: HtmlOptions | null;
  terminal: Terminal;
  stdout: OutputStream;
}): (append: boolean) => Promise<RunOutput> {
  const { targets, terminal, stdout } = options;
  const order = new Map(options.cells.map((cell, index) => [cellId(cell), index]));
  const streamed = targets.filter((target) => target.format === 'jsonl');
  const whole = targets.filter(
    (target): target is OutputTarget & { format: Exclude<CompareFormat, 'jsonl'> } => target.format !== 'jsonl',
  );
  const keepResults = whole.some((target) => ['json', 'junit', 'html'].includes(target.format));
  return async (append) => {
    const sinks: Array<{ sink: ResultSink; path: string | null }> = [];
    for (const target of streamed)
      sinks.push({
        sink: await createResultSink({
          format: 'jsonl',
          outputPath: target.path,
          append,
          stdout,
        }),
        path: target.path,
      });
    const kept: Array<{ result: ResultRecord; index: number }> = [];
    return {
      // The JSONL file --resume can pick up, once it holds this run's results (an earlier file stands until the first answer).
      get resumable() {
        const file = sinks.find((entry) => entry.path !== null);
        return file?.sink.wroteFile ? file.path : null;
      },
      async write(result, record) {
        for (const { sink } of sinks) await sink.write(result, record);
        if (keepResults) kept.push({ result, index: record.index });
      },
      async abandon() {
        for (const { sink } of sinks) await sink.abandon();
      },
      async finish(ending) {
        const report = buildCompareReport(ending.summaries, ending.correctness, options.baseline, options.alpha);
        const nameOf = cellNamer(report.strategies);
        kept.sort(
          (left, right) =>
            left.index - right.index ||
            order.get(cellId(cellOf(left.result)))! - order.get(cellId(cellOf(right.result)))!,
        );
        let results = kept.map((entry) => entry.result);
        for (const { sink } of sinks) {
          // After the result lines, one summary line per cell: consumers tell them apart by `schema`.
          for (const summary of report.strategies)
            await sink.writeLine({ schema: summarySchemaId, ...summaryForJson(summary) });
          await sink.close(() => null);
        }
        // A resumed run's documents hold every result, as its summaries count them: those kept from the
        // --resume file as well as this run's, read back from the file they all went to.
        const resumedFile = sinks.find((entry) => entry.path !== null)?.path;
        if (append && keepResults && resumedFile != null) results = await resultsOf(resumedFile, order);
        for (const target of whole) {
          const { format } = target;
          const rendered =
            format === 'html'
              ? await renderHtml(report, results, options.html!, terminal)
              : // A file gets no colour codes and no fitting to a width, whatever the terminal shows.
                renderReport(
                  format,
                  report,
                  results,
                  ending.endpoint,
                  target.path === null ? terminal.stdoutColors : noColors,
                  target.path === null ? terminal.stdoutColumns : null,
                );
          // A run that errored at every record leaves the last good report in place.
          if (target.path !== null) await writeRunFile(target.path, withNewline(rendered), ending.statistics.answered);
          else stdout.write(withNewline(rendered));
        }
        // A person at a terminal sees the comparison whatever went to files; a log gets one line per cell.
        const shownOnStdout = targets.some(
          (target) => target.path === null && (target.format === 'table' || target.format === 'markdown'),
        );
        sayWhereResultsWent(
          terminal,
          {
            outputPath: targets.find((target) => target.path !== null)?.path ?? null,
            summaries: report.strategies,
            interrupted: ending.statistics.interrupted,
            nameOf: (summary) => nameOf(summary as CellSummary),
          },
          shownOnStdout ? null : () => renderCompareTable(report, terminal.stdoutColors, terminal.stdoutColumns),
        );
      },
    };
  };
}

function renderReport(
  format: Exclude<CompareFormat, 'jsonl' | 'html'>,
  report: CompareReport,
  results: ResultRecord[],
  endpoint: ThrottleReport | null,
  colors: Terminal['stdoutColors'],
  width: number | null,
): string {
  switch (format) {
    case 'table':
      return renderCompareTable(report, colors, width);
    case 'markdown':
      return renderCompareMarkdown(report);
    case 'junit':
      return renderJunit(report, results);
    case 'json':
      return `${JSON.stringify({ ...reportForJson(report), ...(endpoint === null ? {} : { endpoint }), results }, null, 2)}\n`;
  }
}

/** The results of the run's cells in a JSONL results file, in the file's order. */
async function resultsOf(path: string, cells: ReadonlyMap<string, number>): Promise<ResultRecord[]> {
  const { readSavedOutput } = await import('../report/saved-output.js');
  const { results } = readSavedOutput(await readFile(path, 'utf8'), path);
  return results.filter((result) => cells.has(cellId(cellOf(result))));
}

/** The HTML report of this run (src/report, loaded only here: it brings the chart library). */
async function renderHtml(
  report: CompareReport,
  results: ResultRecord[],
  options: HtmlOptions,
  terminal: Terminal,
): Promise<string> {
  const { renderHtmlReport } = await import('../report/html-report.js');
  const html = renderHtmlReport(
    { results, summaries: report.strategies, alpha: report.alpha },
    {
      prices: options.prices,
      answer: options.answer,
      match: options.match,
      baseline: { strategy: report.baselineStrategy, model: report.baselineModel, variant: report.baselineVariant },
      alpha: report.alpha,
    },
    { source: options.source },
  );
  for (const note of html.notes) terminal.warn(note);
  return html.html;
}

const withNewline = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
