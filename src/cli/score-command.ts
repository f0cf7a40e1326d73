/** `promptlab score [FILE|-]`: re-score recorded outputs; no model is called. */
import type { Pick } from '../core/answer-spec.js';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { scoreRecordedLine } from '../scoring/score-recorded.js';
import { createExtractionTally } from '../scoring/extraction-note.js';
import { createSummaryAccumulator } from '../scoring/summary.js';
import { oneOf, positiveInteger } from '../strategies/flag-values.js';
import { parseStopRule } from '../strategies/self-consistency.js';
import { InputError } from '../errors.js';
import { checkReadable, parseJsonLine, readLines } from './read-lines.js';
import { createResultSink } from './result-sink.js';
import { resolveMatch, withAnswerRules } from './run-setup.js';
import { createTerminal } from './terminal.js';
import { checkWritableOutput, writeFileAtomic } from './write-file.js';

export async function scoreCommand(file: string | undefined, flagValues: Record<string, unknown>): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true });
  const path = file ?? '-';
  if (path === '-' && process.stdin.isTTY)
    throw new InputError('score: give a FILE of recorded outputs, or pipe them on stdin');
  await checkReadable(path, 'score');
  const options = {
    answer: withAnswerRules(parseAnswerSpec(String(flagValues.answer ?? 'text')), flagValues),
    pick: oneOf(flagValues.pick ?? 'last', '--pick', ['first', 'last'] as const) as Pick,
    match: resolveMatch(flagValues),
    maxSamples: flagValues.maxSamples === undefined ? null : positiveInteger(flagValues.maxSamples, '--max-samples'),
    stop: parseStopRule(flagValues),
  };
  if (flagValues.output !== undefined) await checkWritableOutput(String(flagValues.output), '-o');
  const label = path === '-' ? 'stdin' : path;
  const summary = createSummaryAccumulator('score');
  const extraction = createExtractionTally(options.answer);
  const streamResults = flagValues.jsonl === true;
  const sink = streamResults
    ? await createResultSink({ format: 'jsonl', outputPath: null, append: false, renderHuman: () => '' })
    : null;
  let count = 0;
  for await (const line of readLines(path, label)) {
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
    await sink.writeLine({ schema: 'promptlab.summary/v1', ...finished });
    await sink.close(() => null);
    return;
  }
  const asJson = flagValues.json === true || !process.stdout.isTTY || flagValues.output !== undefined;
  const text = asJson
    ? `${JSON.stringify({ schema: 'promptlab.summary/v1', ...finished }, null, 2)}\n`
    : renderScoreSummary(finished, terminal.stdoutColors);
  if (flagValues.output !== undefined) await writeFileAtomic(String(flagValues.output), text);
  else process.stdout.write(text);
}
