/**
 * The output of a strategy run (interactive, or collected from a batch): the result records as JSON
 * Lines, one JSON document, or the human view, then the summary — on stdout after a terminal's records,
 * as a note otherwise.
 */
import type { ResultRecord } from '../core/records.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { formatResultRecord } from '../render/result-record.js';
import type { RunEnding, RunOutput } from '../run/execute-run.js';
import { createResultSink, runDocument, type OutputFormat } from '../run/result-sink.js';
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
  const { terminal, single } = options;
  return async (append) => {
    const sink = await createResultSink({
      format: options.format,
      outputPath: options.outputPath,
      append,
      stdout: options.stdout,
      // A dataset's records arrive out of order: each line says which record it is.
      renderHuman: (result) => {
        const view = formatResultRecord(result, terminal.stdoutColors, options.verbose);
        return single ? view : `${terminal.stdoutColors.cyan(result.id)}  ${view}`;
      },
    });
    return {
      // Only a JSONL file can be resumed (stdout is gone once read, a --json document is written at the end),
      // and only once it holds this run's results (an earlier file stands until the first answer).
      get resumable() {
        return options.format === 'jsonl' && sink.wroteFile ? options.outputPath : null;
      },
      write: (result, record) => sink.write(result, record),
      abandon: () => sink.abandon(),
      async finish(ending: RunEnding) {
        const summary = ending.summaries[0]!;
        await sink.close((results: ResultRecord[]) =>
          single ? (results[0] ?? null) : runDocument(options.run, summary, ending.endpoint, results),
        );
        if (single) return;
        // On a terminal the summary follows the records on stdout; in pipes it is a note for the person watching.
        const rendered = renderScoreSummary(summary, terminal.stdoutColors);
        if (options.format === 'human') options.stdout.write(`\n${rendered}\n`);
        else terminal.note(rendered);
      },
    };
  };
}
