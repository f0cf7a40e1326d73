/**
 * Turning completion text into the answer a record reports and the key it votes and scores under, the
 * same way for live runs and for `score`.
 */
import type { AnswerSpec, AnswerVia, Pick } from './answer-spec.js';
import { extractAnswer, extractFromAnswerStep, type ExtractedAnswer, visibleReply } from './extract-answer.js';
import { normalizeAnswer, numericValue, allowedChoices } from './normalize-answer.js';
import { applyNormalizeSteps } from './normalize-steps.js';

/** A completion's answer as reported (null when none was found) and how it was found. */
export interface ReadAnswer {
  answer: string | null;
  via: AnswerVia | null;
}

const noAnswer: ReadAnswer = { answer: null, via: null };

/**
 * The answer carried by a completion. Typed answers are reported in canonical form (`1,000` → `1000`)
 * unless kept as extracted (`--match exact`); `text` and `regex` answers as written — `'onea'.` stays
 * `'onea'.` here and votes as `onea` (see `answerKey`). A `text` reply with no stated answer is its own
 * answer (flexible mode), found by the fallback.
 */
export function readAnswer(text: string, spec: AnswerSpec, pick: Pick): ReadAnswer {
  const extracted = extractAnswer(text, spec, pick);
  if (extracted === null && spec.type === 'text' && spec.extractMode !== 'strict') {
    const whole = visibleReply(text).trim();
    return whole === '' ? noAnswer : { answer: whole, via: 'fallback' };
  }
  return reported(extracted, spec);
}

/** The answer of a two-stage answer step: its first candidate (see `extractFromAnswerStep`). */
export function readAnswerStep(text: string, spec: AnswerSpec): ReadAnswer {
  return reported(extractFromAnswerStep(text, spec), spec);
}

function reported(extracted: ExtractedAnswer | null, spec: AnswerSpec): ReadAnswer {
  if (extracted === null) return noAnswer;
  const asWritten = spec.type === 'text' || spec.type === 'regex' || spec.asExtracted === true;
  const answer = asWritten ? extracted.raw.trim() : extracted.normalized;
  return answer === '' ? noAnswer : { answer, via: extracted.via };
}

/**
 * The key an answer votes and is compared under: canonical for `text` and `regex` answers (so `'onea'.`,
 * `"onea"` and `onea` agree), after the task's `--normalize` steps; as extracted with `--match exact`
 * (the steps still apply: they are the task's rule). Typed answers are already canonical.
 */
export function answerKey(answer: string | null, spec: AnswerSpec): string | null {
  if (answer === null) return null;
  if (spec.asExtracted === true) {
    const steps = spec.normalize ?? [];
    const key = steps.length === 0 ? answer : applyNormalizeSteps(answer, steps);
    return key === '' ? null : key;
  }
  return spec.type === 'text' || spec.type === 'regex' ? normalizeAnswer(answer, spec) : answer;
}

/** The winning key as first written: a record reports the answer a completion gave, not its vote key. */
export function firstSpelling(
  winner: string | null,
  answers: ReadonlyArray<string | null>,
  keys: ReadonlyArray<string | null>,
): string | null {
  if (winner === null) return null;
  const index = keys.indexOf(winner);
  return index >= 0 ? (answers[index] ?? winner) : winner;
}

/**
 * Whether a reply is its answer and nothing more (`42`, `**B**`, `Yes.`): an answer found by the fallback
 * there was not guessed out of prose, so it does not count towards the fallback note.
 */
export function isBareAnswer(reply: string, spec: AnswerSpec): boolean {
  const text = visibleReply(reply);
  const cleaned = normalizeAnswer(text, { type: 'text' });
  if (cleaned === null) return false;
  switch (spec.type) {
    case 'number':
      return numericValue(cleaned) !== null;
    case 'choice': {
      const letter = cleaned.replace(/^[([]\s*|\s*[)\]]$/g, '');
      return allowedChoices(spec).some((choice) => choice.toLowerCase() === letter);
    }
    case 'yesno':
      return /^(?:yes|no|true|false)$/.test(cleaned);
    case 'text':
      return !text.trim().includes('\n');
    default:
      return true;
  }
}
