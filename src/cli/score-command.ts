/**
 * `promptlab score [FILE|-]`: re-score recorded outputs; no model is called. A file of several
 * strategies (compare -o c.jsonl) is reported as compare reports it, one summary per strategy with the
 * paired test against the first; lines of other promptlab schemas (its summary lines) are skipped.
 */
import type { Pick } from '../core/answer-spec.js';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { renderCompareTable, renderScoreSummary } from '../render/compare-table.js';
import { isOtherSchema, scoreRecordedLine, type RecordedFields } from '../scoring/score-recorded.js';
import { buildCompareReport, defaultAlpha } from '../scoring/compare-report.js';
import { reportForJson, summaryForJson } from '../scoring/json-numbers.js';
import { createExtractionTally } from '../scoring/extraction-note.js';
import { cellSummary, createSummaryAccumulator, type SummaryAccumulator } from '../scoring/summary.js';
import { cellId, cellOf, type Cell } from '../core/cells.js';
import { oneOf, positiveInteger } from '../config/flag-values.js';
import { parseOptions, stoppingOptions, stopRule } from '../strategies/options.js';
import { InputError } from '../errors.js';
import { summarySchemaId } from '../core/records.js';
import { checkReadable, parseJsonLine, readLines } from '../run/read-lines.js';
import { createResultSink } from '../run/result-sink.js';
import { resolveMatch, withAnswerRules } from '../run/run-setup.js';
import { createTerminal } from './terminal.js';
import type { Io } from '../run/io.js';
import { checkWritableOutput, refuseInputAsOutput, writeFileAtomic } from '../run/write-file.js';

const fieldFlag = (value: unknown): string | null => (value === undefined ? null : String(value));

export async function scoreCommand(
  file: string | undefined,
  flagValues: Record<string, unknown>,
  io: Io,
): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const path = file ?? '-';
  if (path === '-' && io.stdin.isTTY)
    throw new InputError('score: give a FILE of recorded outputs, or pipe them on stdin');
  await checkReadable(path, 'score');
  const fields: RecordedFields = {
    expected: fieldFlag(flagValues.expectedField),
    completions: fieldFlag(flagValues.completionsField),
    id: fieldFlag(flagValues.idField),
  };
  const options = {
    answer: withAnswerRules(parseAnswerSpec(String(flagValues.answer ?? 'text')), flagValues),
    pick: oneOf(flagValues.pick ?? 'last', '--pick', ['first', 'last'] as const) as Pick,
    match: resolveMatch(flagValues),
    maxSamples: flagValues.maxSamples === undefined ? null : positiveInteger(flagValues.maxSamples, '--max-samples'),
    stop: stopRule(parseOptions(stoppingOptions, flagValues)),
    fields,
  };
  if (flagValues.output !== undefined) {
    const output = String(flagValues.output);
    await checkWritableOutput(output, '-o');
    if (path !== '-') await refuseInputAsOutput({ flag: '-o', path: output }, [{ label: 'file scored', path }]);
  }
  const label = path === '-' ? 'stdin' : path;
  // One summary per cell (model × strategy × variant) the lines name, in the order first seen; lines that
  // name no strategy are "score".
  const summaries = new Map<string, { cell: Cell; summary: SummaryAccumulator }>();
  const extraction = createExtractionTally(options.answer);
  const streamResults = flagValues.jsonl === true;
  const sink = streamResults
    ? await createResultSink({
        format: 'jsonl',
        outputPath: null,
        append: false,
        stdout: io.stdout,
      })
    : null;
  let count = 0;
  // A compare file's summary lines give its order of cells, and its baseline (the one not compared); lines
  // written before models and variants name a strategy alone.
  const recordedOrder: Array<{ model: unknown; strategy: string; variant: unknown; baseline: boolean }> = [];
  for await (const line of readLines(path, label, io.stdin)) {
    if (line.text.trim() === '') continue;
    const value = parseJsonLine(line, label);
    if (isOtherSchema(value)) {
      const summary = value as {
        schema: string;
        strategy?: unknown;
        model?: unknown;
        variant?: unknown;
        vsBaseline?: unknown;
      };
      if (summary.schema === summarySchemaId && typeof summary.strategy === 'string')
        recordedOrder.push({
          model: summary.model,
          strategy: summary.strategy,
          variant: summary.variant ?? null,
          baseline: summary.vsBaseline === undefined,
        });
      continue;
    }
    const result = scoreRecordedLine(value, `${label}:${line.line}`, line.line, options);
    const named = typeof (value as { strategy?: unknown }).strategy === 'string';
    const cell = named ? cellOf(result) : { model: result.model, strategy: 'score', variant: null };
    const key = cellId(cell);
    if (!summaries.has(key)) summaries.set(key, { cell, summary: createSummaryAccumulator(cell.strategy) });
    summaries.get(key)!.summary.add(result);
    extraction.add(result);
    count++;
    if (sink !== null)
      await sink.write(result, { id: result.id, vars: {}, expected: null, source: label, index: count });
  }
  if (count === 0) throw new InputError(`${label}: no recorded outputs to score`);
  const guessed = extraction.note();
  if (guessed !== null) terminal.warn(guessed);
  const recorded = (cell: Cell) => (entry: (typeof recordedOrder)[number]) =>
    entry.strategy === cell.strategy &&
    entry.variant === cell.variant &&
    (entry.model === undefined || entry.model === cell.model);
  const position = (cell: Cell) => {
    const index = recordedOrder.findIndex(recorded(cell));
    return index === -1 ? recordedOrder.length : index;
  };
  const cells = [...summaries.values()].sort((left, right) => position(left.cell) - position(right.cell));
  const finished = cells.map(({ cell, summary }) => cellSummary(cell, summary.finish()));
  const baseline = cells.find(({ cell }) => recordedOrder.find(recorded(cell))?.baseline === true) ?? cells[0]!;
  const report =
    finished.length > 1
      ? buildCompareReport(
          finished,
          new Map([...summaries].map(([key, entry]) => [key, entry.summary.correctness()])),
          baseline.cell,
          defaultAlpha,
        )
      : null;
  if (sink !== null) {
    for (const summary of report?.strategies ?? finished)
      await sink.writeLine({ schema: summarySchemaId, ...summaryForJson(summary) });
    await sink.close(() => null);
    return;
  }
  const asJson = flagValues.json === true || !io.stdout.isTTY || flagValues.output !== undefined;
  const document =
    report === null ? { schema: summarySchemaId, ...summaryForJson(finished[0]!) } : reportForJson(report);
  const text = asJson
    ? `${JSON.stringify(document, null, 2)}\n`
    : report === null
      ? `${renderScoreSummary(finished[0]!, terminal.stdoutColors)}\n`
      : `${renderCompareTable(report, terminal.stdoutColors, terminal.stdoutColumns)}\n`;
  if (flagValues.output !== undefined) await writeFileAtomic(String(flagValues.output), text);
  else io.stdout.write(text);
}
