/** The human view of one result at a terminal: the answer first, then whether it was right, then detail. */
import type { ResultRecord } from '../core/records.js';
import type { Colors } from './colors.js';
import { formatCount, formatMilliseconds, formatPercent } from './format.js';

function expectedText(expected: ResultRecord['expected']): string | null {
  if (expected === null) return null;
  if (Array.isArray(expected)) return expected.length > 0 ? expected.join(' or ') : null;
  return expected;
}

function verdictLine(result: ResultRecord, colors: Colors): string | null {
  const expected = expectedText(result.expected);
  if (result.correct === true) return colors.green(`✓ correct${expected === null ? '' : ` (expected ${expected})`}`);
  if (result.correct === false) return colors.red(`✗ wrong${expected === null ? '' : `: expected ${expected}`}`);
  return null;
}

/** "42 ×3, 41 ×2 · agreement 60%", most votes first (ties in code-point order, the same on every machine). */
function votesLine(votes: Record<string, number>, agreement: number | null | undefined): string {
  const ranked = Object.entries(votes).sort(([answerA, countA], [answerB, countB]) =>
    countB - countA !== 0 ? countB - countA : answerA < answerB ? -1 : answerA > answerB ? 1 : 0,
  );
  const table = ranked.map(([answer, count]) => `${answer} ×${count}`).join(', ');
  const shown = table === '' ? 'none valid' : table;
  return agreement === undefined || agreement === null
    ? `votes: ${shown}`
    : `votes: ${shown} · agreement ${formatPercent(agreement, 0)}`;
}

function costLine(result: ResultRecord): string {
  const { promptTokens, completionTokens, totalTokens } = result.usage;
  const requests = `${result.requests} ${result.requests === 1 ? 'request' : 'requests'}`;
  const samples = `${result.samplesUsed} ${result.samplesUsed === 1 ? 'sample' : 'samples'}`;
  // The endpoint counted one choice of several: the figure is promptlab's estimate (choice-usage.ts), and says so.
  const estimated = result.usageEstimated === true;
  return (
    `${estimated ? '≈' : ''}${formatCount(totalTokens)} tokens (${formatCount(promptTokens)} prompt + ${formatCount(completionTokens)} completion${estimated ? ', estimated' : ''})` +
    ` · ${requests} · ${samples} · ${formatMilliseconds(result.latencyMs)} ms`
  );
}

function completionBlocks(result: ResultRecord, colors: Colors): string[] {
  const count = result.completions.length;
  return result.completions.flatMap((completion, index) => {
    // How the answer was found matters when judging it: a JSON field or a phrase was stated, a fallback guessed.
    const via = completion.via ? ` · via ${completion.via}` : ''; // absent in result files written before it existed
    const answer = completion.answer === null ? 'no answer' : `${completion.answer}${via}`;
    const heading = `── completion ${index + 1}/${count} (finish: ${completion.finishReason ?? 'unknown'}) → ${answer}`;
    // Two-stage extraction: show what the extraction call said, since the answer came from it.
    const extraction = completion.answerStep === undefined ? [] : [colors.dim(`extraction: ${completion.answerStep}`)];
    return [colors.dim(heading), completion.text, ...extraction];
  });
}

/**
 * With `verbose`, also the identity line, every completion's text (the reasoning), the vote table and
 * agreement for self-consistency, and what the record cost. Warnings always show: they change how far
 * the answer can be trusted.
 */
export function formatResultRecord(result: ResultRecord, colors: Colors, verbose: boolean): string {
  const lines: string[] = [result.answer === null ? colors.dim('(no answer)') : colors.bold(result.answer)];
  const verdict = verdictLine(result, colors);
  if (verdict !== null) lines.push(verdict);
  if (result.error !== null) lines.push(colors.red(`error: ${result.error}`));
  lines.push(...warningLines(result, colors));
  if (!verbose) return lines.join('\n');
  return [...lines, formatRecordDetails(result, colors)].join('\n');
}

const warningLines = (result: ResultRecord, colors: Colors): string[] =>
  result.warnings.map((warning) => colors.yellow(`warning: ${warning}`));

/**
 * What --verbose adds below a record: the identity line, every completion's text, the vote table, the
 * cost. `withWarnings` for a view whose short form did not show the record's warnings.
 */
export function formatRecordDetails(result: ResultRecord, colors: Colors, withWarnings = false): string {
  const lines = withWarnings ? warningLines(result, colors) : [];
  lines.push(colors.dim(`${result.id} · ${result.strategy} · ${result.model} · template ${result.template}`));
  lines.push(...completionBlocks(result, colors));
  if (result.votes !== undefined) lines.push(votesLine(result.votes, result.agreement));
  lines.push(colors.dim(costLine(result)));
  return lines.join('\n');
}
