/** `promptlab score [FILE|-]`: re-score recorded outputs; no model is called. */
import type { Pick } from '../core/answer-spec.js';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { scoreRecordedLine } from '../scoring/score-recorded.js';
import { createExtractionTally } from '../scoring/extraction-note.js';
import { createSummaryAccumulator } from '../scoring/summary.js';
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
  const options = {
    answer: withAnswerRules(parseAnswerSpec(String(flagValues.answer ?? 'text')), flagValues),
    pick: oneOf(flagValues.pick ?? 'last', '--pick', ['first', 'last'] as const) as Pick,
    match: resolveMatch(flagValues),
    maxSamples: flagValues.maxSamples === undefined ? null : positiveInteger(flagValues.maxSamples, '--max-samples'),
    stop: stopRule(parseOptions(stoppingOptions, flagValues)),
  };
  if (flagValues.output !== undefined) {
    const output = String(flagValues.output);
    await checkWritableOutput(output, '-o');
    if (path !== '-') await refuseInputAsOutput({ flag: '-o', path: output }, [{ label: 'file scored', path }]);
  }
  const label = path === '-' ? 'stdin' : path;
  const summary = createSummaryAccumulator('score');
  const extraction = createExtractionTally(options.answer);
  const streamResults = flagValues.jsonl === true;
  const sink = streamResults
    ? await createResultSink({
        format: 'jsonl',
        outputPath: null,
        append: false,
        renderHuman: () => '',
        stdout: io.stdout,
      })
    : null;
  let count = 0;
  for await (const line of readLines(path, label, io.stdin)) {
    if (line.text.trim() === '') continue;
    const result = scoreRecordedLine(parseJsonLine(line, label), `${label}:${line.line}`, line.line, options);
    summary.add(result);
    extraction.add(result);
    count++;
    if (sink !== null)
      await sink.write(result, { id: result.id, vars: {}, expected: null, source: label, index: count });
  }
  if (count === 0) throw new InputError(`${label}: no recorded outputs to score`);
  const guessed = extraction.note();
  if (guessed !== null) terminal.warn(guessed);
  const finished = summary.finish();
  if (sink !== null) {
    await sink.writeLine({ schema: summarySchemaId, ...finished });
    await sink.close(() => null);
    return;
  }
  const asJson = flagValues.json === true || !io.stdout.isTTY || flagValues.output !== undefined;
  const text = asJson
    ? `${JSON.stringify({ schema: summarySchemaId, ...finished }, null, 2)}\n`
    : renderScoreSummary(finished, terminal.stdoutColors);
  if (flagValues.output !== undefined) await writeFileAtomic(String(flagValues.output), text);
  else io.stdout.write(text);
}
