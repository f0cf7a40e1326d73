/** Turning completion text into the answer a record reports, the same way for every strategy. */
import type { AnswerSpec, Pick } from '../core/answer-spec.js';
import { extractAnswer } from '../core/extract-answer.js';
import { normalizeAnswer } from '../core/normalize-answer.js';

/**
 * The answer carried by a completion. For typed answers it is the canonical form (so votes and scores
 * compare like with like); for `text` it is the text itself, trimmed — the whole reply, or what follows
 * an explicit "The answer is" — since a lower-cased, unpunctuated reply reads badly.
 */
export function answerOf(text: string, spec: AnswerSpec, pick: Pick): string | null {
  const extracted = extractAnswer(text, spec, pick);
  if (spec.type === 'text') {
    const raw = extracted?.raw.trim() ?? text.trim();
    return raw === '' ? null : raw;
  }
  if (extracted === null) return null;
  return spec.asExtracted === true ? extracted.raw : extracted.normalized;
}

/** The key an answer votes under: canonical (unless kept as extracted), so "Paris." and "paris" agree. */
export function voteKey(answer: string | null, spec: AnswerSpec): string | null {
  if (answer === null) return null;
  return spec.type === 'text' && spec.asExtracted !== true ? normalizeAnswer(answer, spec) : answer;
}
