/**
 * A dataset run on a terminal, one line per record: its id, a short input, the answer, and ✓ or ✗
 * against the expected answer — `7  What is 6 times 7?   42  ✓` — cut to the terminal's width.
 * `--verbose` adds formatResultRecord's detail below each line.
 */
import type { ResultRecord } from '../core/records.js';
import type { Colors } from './colors.js';
import { clipToWidth, oneLine, padToWidth, textWidth } from './text-width.js';

export interface RecordLineLayout {
  /** The terminal's width. */
  width: number;
  /** Ids are padded to this, so inputs line up. */
  idWidth: number;
}

/** The variable a person recognises a record by: `input` (the default template's), else the first text one. */
export function recordInput(vars: Record<string, unknown>): string {
  if (typeof vars.input === 'string') return vars.input;
  const first = Object.values(vars).find((value) => typeof value === 'string');
  return typeof first === 'string' ? first : '';
}

function expectedText(expected: ResultRecord['expected']): string {
  if (expected === null) return '';
  return Array.isArray(expected) ? expected.join(' or ') : expected;
}

/** The answer and its verdict, or the error that took its place: the part of the line worth keeping whole. */
function outcome(result: ResultRecord, colors: Colors): { text: string; verdict: string } {
  if (result.error !== null) return { text: colors.red(`error: ${oneLine(result.error)}`), verdict: '' };
  const text = result.answer === null ? colors.dim('(no answer)') : colors.bold(oneLine(result.answer));
  if (result.correct === true) return { text, verdict: colors.green('✓') };
  if (result.correct === false)
    return { text, verdict: colors.red(`✗ expected ${clipToWidth(oneLine(expectedText(result.expected)), 24)}`) };
  return { text, verdict: '' };
}

export function formatRecordLine(result: ResultRecord, colors: Colors, layout: RecordLineLayout): string {
  const id = colors.cyan(padToWidth(result.id, layout.idWidth));
  const { text, verdict } = outcome(result, colors);
  const room = layout.width - layout.idWidth - 2;
  // The input takes up to half of what is left, padded so that answers line up; narrow terminals drop it.
  const inputWidth = room >= 40 ? Math.floor(room / 2) - 2 : 0;
  const input =
    inputWidth > 0 ? `${padToWidth(clipToWidth(oneLine(recordInput(result.vars)), inputWidth), inputWidth)}  ` : '';
  const verdictWidth = verdict === '' ? 0 : textWidth(verdict) + 2;
  const answer = clipToWidth(text, Math.max(1, room - textWidth(input) - verdictWidth));
  const line = `${id}  ${input}${answer}${verdict === '' ? '' : `  ${verdict}`}`;
  return clipToWidth(line, layout.width).trimEnd();
}
