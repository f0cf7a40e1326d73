/**
 * What a run shows besides its results, the same for every command that runs: the progress line
 * (`cot 29/50 · ETA 12 s`, fitted to stderr) and, when the results went to a file or a pipe, the
 * summary where someone sees it.
 */
import { renderSummaryLine } from '../render/compare-table.js';
import { progressLine } from '../render/progress-line.js';
import type { RunCallbacks } from '../run/execute-run.js';
import { countDatasetRecords } from '../run/read-dataset.js';
import type { StrategySummary } from '../scoring/summary.js';
import type { Terminal } from './terminal.js';

/** The spinner frame and the space after it. */
const frameColumns = 2;

/**
 * The progress callbacks of a run over `dataset` (a path, `-` for stdin, or undefined for one input).
 * Counting the records costs a second read of the file: only for a person watching the progress line.
 */
export async function progressView(
  terminal: Terminal,
  dataset: string | undefined,
): Promise<Required<Pick<RunCallbacks, 'progress' | 'stopProgress'>>> {
  const total =
    terminal.showsProgress && dataset !== undefined ? await countDatasetRecords(dataset).catch(() => null) : null;
  return {
    progress: ({ counts, elapsedMs }) =>
      terminal.progress(() => progressLine(counts, total, elapsedMs, terminal.progressColumns - frameColumns - 1)),
    stopProgress: () => terminal.stopProgress(),
  };
}

/**
 * The summary where someone sees it, once the results went somewhere else than the terminal view.
 * stdout a terminal: the view (a run's summary block, compare's table) goes there when the results went
 * to a file (-o) — unless `view` is null because stdout shows the comparison already. stdout a file or
 * pipe: one line per summary on stderr when the results went to a file (a CI log then says how the run
 * went), or when a person watches stderr.
 */
export function sayWhereResultsWent(
  terminal: Terminal,
  ending: {
    outputPath: string | null;
    summaries: readonly StrategySummary[];
    interrupted: boolean;
    /** How a log line names a summary (a matrix's cellNamer); default its strategy. */
    nameOf?: (summary: StrategySummary) => string;
  },
  view: (() => string) | null,
): void {
  const { outputPath, summaries } = ending;
  if (outputPath === null && view === null) return;
  if (terminal.stdoutColumns !== null) {
    if (outputPath !== null && view !== null) terminal.out(`${view()}\n`);
    return;
  }
  // An interrupted run's last line says how far it got and how to finish it.
  if (ending.interrupted || (outputPath === null && !terminal.showsProgress)) return;
  const where = outputPath === null ? '' : ` → ${outputPath}`;
  for (const summary of summaries) terminal.say(`${renderSummaryLine(summary, ending.nameOf?.(summary))}${where}`);
}
