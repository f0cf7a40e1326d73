import { UsageError } from '../errors.js';
import type { AnswerSpec } from './answer-spec.js';
import { applyNormalizeSteps, collapseWhitespace, type NormalizeStep } from './normalize-steps.js';

const SPEC_HELP = 'expected number|choice|yesno|text|regex:PATTERN';
export const DEFAULT_CHOICES: readonly string[] = ['A', 'B', 'C', 'D', 'E'];

/**
 * Parses the `--answer` flag (or the same setting in a template's front matter).
 * `source` names where the text came from, so the error points at it.
 */
export function parseAnswerSpec(text: string, source?: string): AnswerSpec {
  const where = source ?? '--answer';
  const regexPrefix = /^\s*regex:/i.exec(text);
  if (regexPrefix !== null) {
    // The pattern is kept byte for byte: a trailing space in it may be meant.
    const pattern = text.slice(regexPrefix[0].length);
    if (pattern === '') throw new UsageError(`${where}: regex:PATTERN needs a pattern, got "${text}"`);
    const error = regexError(pattern);
    if (error !== null) throw new UsageError(`${where}: invalid regular expression "${pattern}": ${error}`);
    return { type: 'regex', pattern };
  }
  const type = text.trim().toLowerCase();
  if (type === 'number' || type === 'choice' || type === 'yesno' || type === 'text') return { type };
  throw new UsageError(`${where}: ${SPEC_HELP}, got "${text}"`);
}

function regexError(pattern: string): string | null {
  try {
    new RegExp(pattern, 'g');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Compiles a spec's pattern for scanning (global); null when it is missing or invalid, so callers never throw. */
export function compileAnswerPattern(spec: AnswerSpec): RegExp | null {
  if (spec.pattern === undefined || spec.pattern === '') return null;
  try {
    return new RegExp(spec.pattern, 'g');
  } catch {
    return null;
  }
}

/**
 * Puts an answer in canonical form for voting and comparison, or returns null when the value holds
 * no valid answer of that type. Idempotent: normalizing a canonical form returns it unchanged, which
 * is what lets `expected` values and already-normalized answers be compared with the same function.
 */
export function normalizeAnswer(value: string, spec: AnswerSpec): string | null {
  switch (spec.type) {
    case 'number':
      return normalizeNumber(value);
    case 'choice':
      return normalizeChoice(value, allowedChoices(spec));
    case 'yesno':
      return normalizeYesNo(value);
    case 'text':
      return normalizeText(value, spec.normalize ?? []);
    case 'regex':
      return normalizeWithPattern(value, spec);
    default:
      return null;
  }
}

/** `$1,000.50` → `1000.5`, `1/2` → `0.5`, `50%` → `50`: the first number in the value. */
function normalizeNumber(value: string): string | null {
  return findNumbers(rewriteLatexNumbers(value))[0]?.canonical ?? null;
}

/** One number found in a text: `raw` is cleaned as Kojima et al. clean it, `canonical` is the normalized form. */
export interface NumberToken {
  raw: string;
  canonical: string;
}

/*
 * A number: optional sign and `$`, digits and decimals, or a bare `.5`; an optional exponent (`1e3`,
 * at most three digits so a stray `1e99999` cannot blow up); an optional `/denominator` written without
 * spaces (`1/2`; `12 / 4` is arithmetic, not an answer). A comma between digits is always a thousands
 * separator and is dropped, as Kojima et al. drop every comma: `2,2,2` reads 222, which is what
 * reproduces their published scores. A number may not start inside another number (`3.2.1` gives 3.2),
 * and a sign right after a letter or digit is a hyphen (`COVID-19` gives 19, `18-4` gives 18 and 4).
 */
const NUMBER_SOURCE =
  String.raw`(?<![\p{N}.])(?:(?<![\p{L}\p{N}])(?<sign>[-+\u2212]))?\$?` +
  String.raw`(?<body>\d+(?:,\d+)*(?:\.\d+)?|\.\d+)` +
  String.raw`(?:[eE](?<exponent>[-+]?\d{1,3})(?!\d))?` +
  String.raw`(?:\/(?<denominator>\d+(?:\.\d+)?))?`;
const NUMBER_PATTERN = new RegExp(NUMBER_SOURCE, 'gu');
const WHOLE_NUMBER_PATTERN = new RegExp(String.raw`^\s*${NUMBER_SOURCE}\s*%?\s*$`, 'u');

/** Every number in the text, in order. LaTeX is left alone: see `rewriteLatexNumbers`. */
export function findNumbers(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  for (const match of text.matchAll(NUMBER_PATTERN)) {
    if (match.groups !== undefined) tokens.push(numberToken(match.groups));
  }
  return tokens;
}

/** The value of a text that is exactly one number (`1,000`, `$5`, `50%`, `1/2`, `\frac{1}{2}`), else null. */
export function numericValue(text: string): number | null {
  const groups = WHOLE_NUMBER_PATTERN.exec(rewriteLatexNumbers(text))?.groups;
  if (groups === undefined) return null;
  const value = Number(numberToken(groups).canonical);
  return Number.isFinite(value) ? value : null;
}

/**
 * `\frac{1}{2}` → `1/2`, `1{,}000` and `1\,000` → `1,000`/`1000`, `\$5` → `$5`. Applied to values
 * that are an answer as a whole (a `\boxed{}`, an expected value), not to running text: there a
 * `\frac{18}{266}` is working, and reading it as one number would lose answers Kojima et al. scored.
 */
export function rewriteLatexNumbers(text: string): string {
  if (!text.includes('\\') && !text.includes('{,}')) return text;
  return text
    .replace(
      /\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g,
      (_whole, top: string, bottom: string) => `${top.trim()}/${bottom.trim()}`,
    )
    .replace(/\{,\}/g, ',')
    .replace(/\\[,!; ]/g, '')
    .replace(/\\([$%])/g, '$1');
}

function numberToken(groups: Record<string, string | undefined>): NumberToken {
  const negative = groups.sign === '-' || groups.sign === '\u2212';
  const digits = (groups.body ?? '0').replace(/,/g, '');
  const exponent = groups.exponent;
  const denominator = groups.denominator;
  const raw =
    (negative ? '-' : '') +
    digits +
    (exponent === undefined ? '' : `e${exponent}`) +
    (denominator === undefined ? '' : `/${denominator}`);
  const numerator = exponent === undefined ? digits : shiftDecimalPoint(digits, Number(exponent));
  return { raw, canonical: canonicalValue(negative, numerator, denominator) };
}

function canonicalValue(negative: boolean, numerator: string, denominator: string | undefined): string {
  if (denominator !== undefined) {
    const quotient = Number(numerator) / Number(denominator);
    // 12 significant digits: enough for any answer, and few enough that 1/3 prints the same every time.
    if (Number.isFinite(quotient)) return plainDecimal((negative ? -quotient : quotient).toPrecision(12));
  }
  return canonicalDecimal(negative, numerator);
}

/** `-1.5e+21` or `0.500000` → a plain decimal with no exponent and no redundant zeros. */
function plainDecimal(text: string): string {
  const [mantissa = '0', exponent = '0'] = text.split('e');
  const negative = mantissa.startsWith('-');
  return canonicalDecimal(negative, shiftDecimalPoint(mantissa.replace('-', ''), Number(exponent)));
}

/** Exact string arithmetic so that long integers keep every digit. */
function shiftDecimalPoint(decimal: string, places: number): string {
  const [whole = '', fraction = ''] = decimal.split('.');
  const digits = whole + fraction;
  const point = whole.length + places;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

function canonicalDecimal(negative: boolean, decimal: string): string {
  const [whole = '', fraction = ''] = decimal.split('.');
  const integerPart = whole.replace(/^0+/, '') || '0';
  const fractionPart = fraction.replace(/0+$/, '');
  const magnitude = fractionPart === '' ? integerPart : `${integerPart}.${fractionPart}`;
  return negative && magnitude !== '0' ? `-${magnitude}` : magnitude;
}

/**
 * What a choice letter may not touch to count as one. Only Latin letters and digits: the `B` of
 * "Because" is no choice, but the `B` of "答案是B" is.
 */
export const LATIN_WORD_CHARACTER = '[A-Za-z0-9]';

export function allowedChoices(spec: AnswerSpec): readonly string[] {
  return spec.choices !== undefined && spec.choices.length > 0 ? spec.choices : DEFAULT_CHOICES;
}

/**
 * A choice letter standing alone (not inside a word), in any case and optionally bracketed:
 * `(B)`, `B)`, `b`, `answer is b`, `B.` all give `B`. The canonical form is the spelling in the spec.
 */
function normalizeChoice(value: string, choices: readonly string[]): string | null {
  const alternatives = choices.map(escapeRegExp).join('|');
  const standalone = new RegExp(`(?<!${LATIN_WORD_CHARACTER})(${alternatives})(?!${LATIN_WORD_CHARACTER})`, 'iu');
  const found = standalone.exec(value)?.[1];
  if (found === undefined) return null;
  return choices.find((choice) => choice.toLowerCase() === found.toLowerCase()) ?? null;
}

/** The first yes/no/true/false word decides; true counts as yes because boolean datasets write it so. */
export const YES_NO_WORD = /(?<![\p{L}\p{N}])(yes|no|true|false)(?![\p{L}\p{N}])/giu;

function normalizeYesNo(value: string): string | null {
  const word = new RegExp(YES_NO_WORD.source, 'iu').exec(value)?.[1];
  if (word === undefined) return null;
  return yesNoOf(word);
}

function yesNoOf(word: string): 'yes' | 'no' {
  const lower = word.toLowerCase();
  return lower === 'yes' || lower === 'true' ? 'yes' : 'no';
}

/*
 * What encloses a text answer without being part of it: quotes, backticks, markdown emphasis and TeX math
 * delimiters. The longer marker is tried first (`**` before `*`).
 */
const ENCLOSING_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['**', '**'],
  ['__', '__'],
  ['*', '*'],
  ['_', '_'],
  ['"', '"'],
  ["'", "'"],
  ['```', '```'],
  ['``', '``'],
  ['`', '`'],
  ['$$', '$$'],
  ['$', '$'],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u201e', '\u201c'],
  ['\u00ab', '\u00bb'],
  ['\u2039', '\u203a'],
  ['\u300c', '\u300d'],
];
/** Sentence punctuation after an answer: "Paris." and "Paris!" are Paris. */
const TRAILING_PUNCTUATION = /[\s.,;:!?\u2026\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]+$/u;
const APOSTROPHE_IN_WORD = /(?<=\p{L})'(?=\p{L})/gu;

/**
 * Lower-case, one space between words, no enclosing quotes, backticks or emphasis (`'onea'`, `"onea"`,
 * `**onea**`, `“onea”`), no trailing sentence punctuation: all spell `onea` and vote together. Then the
 * task's own steps (`--normalize`), and again until nothing changes, so normalizing twice is normalizing once.
 */
function normalizeText(value: string, steps: readonly NormalizeStep[]): string | null {
  const canonical = untilStable(value, (current) => {
    const cleaned = stripEnclosing(collapseWhitespace(current.toLowerCase()));
    return steps.length === 0 ? cleaned : applyNormalizeSteps(cleaned, steps);
  });
  return canonical === '' ? null : canonical;
}

function stripEnclosing(value: string): string {
  return untilStable(value, (current) => {
    const trimmed = current.replace(TRAILING_PUNCTUATION, '').trim();
    for (const [open, close] of ENCLOSING_PAIRS) {
      if (trimmed.length <= open.length + close.length || !trimmed.startsWith(open) || !trimmed.endsWith(close))
        continue;
      const inner = trimmed.slice(open.length, -close.length);
      // `'a' and 'b'` is two quoted answers, not one; an apostrophe inside a word (`yih'a`) is no quote.
      const innerWithoutApostrophes = open === "'" ? inner.replace(APOSTROPHE_IN_WORD, '') : inner;
      if (!innerWithoutApostrophes.includes(close) && !innerWithoutApostrophes.includes(open)) return inner.trim();
    }
    return trimmed;
  });
}

/**
 * Applies `step` until the value stops changing. Every step here only removes characters (lower-casing
 * may lengthen a value once), so a value of n characters is stable within n + 2 rounds.
 */
function untilStable(value: string, step: (current: string) => string): string {
  let current = value;
  for (let round = 0; round < value.length + 2; round++) {
    const next = step(current);
    if (next === current) return next;
    current = next;
  }
  return current;
}

/**
 * The pattern's first capture group (or whole match), trimmed; a value the pattern does not match is
 * kept (trimmed) because it is usually an already-extracted answer or an `expected` value. Then the
 * task's `--normalize` steps. Repeated to a fixed point so that normalizing twice changes nothing; every
 * step shortens the value or stops, so the loop ends.
 */
function normalizeWithPattern(value: string, spec: AnswerSpec): string | null {
  const pattern = compileAnswerPattern(spec);
  const steps = spec.normalize ?? [];
  const canonical = untilStable(value.trim(), (current) => {
    let captured = current;
    while (pattern !== null) {
      pattern.lastIndex = 0;
      const match = pattern.exec(captured);
      if (match === null) break;
      const next = (match[1] ?? match[0]).trim();
      if (next === captured || next === '') break;
      captured = next;
    }
    return steps.length === 0 ? captured : applyNormalizeSteps(captured, steps);
  });
  return canonical === '' ? null : canonical;
}

export function escapeRegExp(text: string): string {
  // Only syntax characters: a needless escape such as `\-` is an error under the `u` flag.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
