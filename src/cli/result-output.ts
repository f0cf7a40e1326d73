/**
 * The output of a strategy run (interactive, or collected from a batch): the result records as JSON
 * Lines, one JSON document, or the terminal view — one line per record in dataset order, then the
 * summary. Results written elsewhere still leave a summary where a person or a log sees it (run-view.ts).
 */
import type { ResultRecord } from '../core/records.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { formatRecordLine } from '../render/record-line.js';
import { formatRecordDetails, formatResultRecord } from '../render/result-record.js';
import { fallbackColumns } from '../render/text-width.js';
import type { RunEnding, RunOutput } from '../run/execute-run.js';
import { createResultSink, runDocument, type OutputFormat } from '../run/result-sink.js';
import { createInOrder } from './in-order.js';
import { sayWhereResultsWent } from './run-view.js';
import type { Terminal } from './terminal.js';

export interface ResultOutputOptions {
  format: OutputFormat;
  outputPath: string | null;
  /** One positional input: its record alone is the document, and there is no summary. */
  single: boolean;
  verbose: boolean;
  /** What the JSON document says the run was. */
  run: { strategy: string; model: string; template: string };
  terminal: Terminal;
  stdout: NodeJS.WritableStream;
}

export function resultOutput(options: ResultOutputOptions): (append: boolean) => Promise<RunOutput> {
  const { terminal, single, format } = options;
  const colors = terminal.stdoutColors;
  let idWidth = 2;
  // Records finish out of order; a person reads them in the dataset's.
  const view = createInOrder((text: string) => terminal.out(text));
  const viewOf = (result: ResultRecord): string => {
    if (single) return `${formatResultRecord(result, colors, options.verbose)}\n`;
    idWidth = Math.min(16, Math.max(idWidth, result.id.length));
    const line = formatRecordLine(result, colors, {
      width: terminal.stdoutColumns ?? fallbackColumns,
      idWidth,
    });
    return options.verbose ? `${line}\n${formatRecordDetails(result, colors, true)}\n\n` : `${line}\n`;
  };
  return async (append) => {
    const sink = await createResultSink({
      format: format === 'human' ? 'jsonl' : format,
      outputPath: format === 'human' ? null : options.outputPath,
      append,
      stdout: options.stdout,
    });
    return {
      // Only a JSONL file can be resumed (stdout is gone once read, a --json document is written at the end),
      // and only once it holds this run's results (an earlier file stands until the first answer).
      get resumable() {
        return format === 'jsonl' && sink.wroteFile ? options.outputPath : null;
      },
      // The view of one input, and --verbose's detail, show each record's warnings.
      showsWarnings: format === 'human' && (single || options.verbose),
      async write(result, record) {
        if (format === 'human') view.add(record.index, viewOf(result));
        else await sink.write(result, record);
      },
      async abandon() {
        view.flush();
        await sink.abandon();
      },
      async finish(ending: RunEnding) {
        view.flush();
        const summary = ending.summaries[0]!;
        if (format === 'human') {
          if (!single) terminal.out(`\n${renderScoreSummary(summary, colors)}\n`);
          return;
        }
        await sink.close((results: ResultRecord[]) =>
          single ? (results[0] ?? null) : runDocument(options.run, summary, ending.endpoint, results),
        );
        if (!single)
          sayWhereResultsWent(
            terminal,
            { outputPath: options.outputPath, summaries: ending.summaries, interrupted: ending.statistics.interrupted },
            () => renderScoreSummary(summary, colors),
          );
      },
    };
  };
}
