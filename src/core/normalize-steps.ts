/**
 * A task's own answer rule, as a list of steps applied in order after the answer type's default
 * normalisation (`--normalize`, or `normalize:` in a template's front matter). Kojima et al. drop quotes,
 * dots and whitespace for last-letter concatenation; the ESC authors keep letters only; SQuAD-style
 * scorers lower-case and drop punctuation and articles. Each of those is a list of these steps.
 */
import { UsageError } from '../errors.js';

export const normalizeStepNames = [
  'lowercase',
  'strip-quotes',
  'remove-whitespace',
  'remove-punctuation',
  'remove-articles',
] as const;

export type NormalizeStep = (typeof normalizeStepNames)[number];

/** Every quotation mark and backtick: ASCII, typographic, guillemets, low-9 and CJK corner brackets. */
const QUOTE_CHARACTERS = /["'`\u00ab\u00bb\u2018-\u201f\u2039\u203a\u300c-\u300f\uff02\uff07]/gu;
/** Whitespace, and the invisible spaces (zero-width space, word joiner); joiners such as ZWNJ spell words and stay. */
const WHITESPACE = /[\s\u200b\u2060]+/gu;
/** Unicode punctuation and symbols: what Python's string.punctuation covers in ASCII, everywhere. */
const PUNCTUATION = /[\p{P}\p{S}]+/gu;
const ARTICLE = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/giu;

const steps: Record<NormalizeStep, (value: string) => string> = {
  lowercase: (value) => value.toLowerCase(),
  'strip-quotes': (value) => value.replace(QUOTE_CHARACTERS, ''),
  'remove-whitespace': (value) => value.replace(WHITESPACE, ''),
  'remove-punctuation': (value) => value.replace(PUNCTUATION, ''),
  'remove-articles': (value) => value.replace(ARTICLE, ' '),
};

/**
 * Parses a comma list (`remove-whitespace,remove-punctuation`) or a list of names. `source` names where
 * it came from (`--normalize`, a template's front matter) so the error points at it. Repeats are kept:
 * the list is a program, applied in order.
 */
export function parseNormalizeSteps(value: string | readonly string[], source: string): NormalizeStep[] {
  const names = (typeof value === 'string' ? value.split(',') : value).map((name) => name.trim().toLowerCase());
  // A stray comma (`a,,b`, `a,`) is no step; a list with no step at all is a mistake.
  const written = names.filter((name) => name !== '');
  const parsed: NormalizeStep[] = [];
  for (const name of written.length === 0 ? [''] : written) {
    if (!isNormalizeStep(name)) {
      throw new UsageError(`${source}: unknown normalisation step "${name}" (known: ${normalizeStepNames.join(', ')})`);
    }
    parsed.push(name);
  }
  return parsed;
}

export function isNormalizeStep(name: string): name is NormalizeStep {
  return (normalizeStepNames as readonly string[]).includes(name);
}

/** The steps in order; whitespace runs they leave behind are collapsed and the ends trimmed. */
export function applyNormalizeSteps(value: string, list: readonly NormalizeStep[]): string {
  let current = value;
  for (const step of list) current = collapseWhitespace(steps[step](current));
  return current;
}

export function collapseWhitespace(value: string): string {
  return value.replace(WHITESPACE, ' ').trim();
}
