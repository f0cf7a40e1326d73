/**
 * How much room text takes on a terminal, and how to make it fit: clip a line to a width (colour codes
 * kept whole), flatten text to one line, wrap prose. Pure; the width comes from whoever knows the terminal.
 */
import { stripAnsi } from './colors.js';

/** What a view assumes when the terminal does not say how wide it is (or says 0, as some ptys do). */
export const fallbackColumns = 80;

/** A terminal's usable width: its `columns` when it reports a positive number, else the fallback. */
export function usableColumns(columns: number | undefined): number {
  return typeof columns === 'number' && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : fallbackColumns;
}

// East Asian wide and fullwidth ranges, and emoji: two columns each on a terminal.
const wide =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
// Combining marks, zero-width joiners and variation selectors take no column of their own.
const zeroWidth = /^(?:\p{Mn}|\p{Me}|[\u200b-\u200f]|[\ufe00-\ufe0f])$/u;

/** Columns one code point takes. */
function charWidth(char: string): number {
  if (zeroWidth.test(char)) return 0;
  return wide.test(char) ? 2 : 1;
}

/** Columns a string takes on a terminal: colour codes take none, wide characters two. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

// SGR sequences and OSC 8 hyperlinks, matched one at a time while clipping.
const escapeAtStart = /^(?:\u001b\[[0-9;]*m|\u001b\]8;[^\u0007\u001b]*(?:\u0007|\u001b\\))/;

/**
 * The text cut to `width` columns, ending in `…` when something was cut. Colour codes are kept whole,
 * and a reset follows a cut inside a coloured span, so the colour does not run on into what follows.
 */
export function clipToWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  let coloured = false;
  let rest = text;
  while (rest.length > 0) {
    const sequence = escapeAtStart.exec(rest);
    if (sequence !== null) {
      out += sequence[0];
      coloured = true;
      rest = rest.slice(sequence[0].length);
      continue;
    }
    const char = String.fromCodePoint(rest.codePointAt(0)!);
    const size = charWidth(char);
    if (used + size > width - 1) break;
    out += char;
    used += size;
    rest = rest.slice(char.length);
  }
  return `${out}…${coloured ? '\u001b[0m' : ''}`;
}

/** The text padded with spaces to `width` columns (wide characters counted as two). */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

/** Any text as one line: runs of whitespace (newlines included) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Plain prose wrapped at spaces to lines of at most `width` columns (a longer word gets a line of its
 * own); lines after the first start with `indent`.
 */
export function wrapToWidth(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (line === '' || line === indent) line += word;
    else if (textWidth(`${line} ${word}`) <= width) line = `${line} ${word}`;
    else {
      lines.push(line);
      line = indent + word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
