/**
 * The one stderr note a run gets when most of its answers were guessed rather than stated: taken by the
 * answer type's fallback rule (the last number, ...) out of a reply that states no answer. "Tell me a
 * joke" scored as a number answers 4, from "Your message had 4 words"; this is where the user hears of it.
 * A reply that is nothing but its answer ("42", "B.") was not guessed and does not count.
 */
import type { AnswerSpec } from '../core/answer-spec.js';
import type { ResultRecord } from '../core/records.js';
import { isBareAnswer } from '../core/read-answer.js';

export interface ExtractionTally {
  add(result: ResultRecord): void;
  /** The note, or null when at most half of the answers were guessed. */
  note(): string | null;
}

export function createExtractionTally(spec: AnswerSpec): ExtractionTally {
  let answered = 0;
  let guessed = 0;
  return {
    add(result) {
      for (const completion of result.completions) {
        if (completion.via === null || completion.via === undefined) continue;
        answered++;
        if (completion.via === 'fallback' && !isBareAnswer(completion.text, spec)) guessed++;
      }
    },
    note() {
      if (spec.defaulted === true || guessed * 2 <= answered) return null;
      return (
        `${guessed} of ${answered} ${answered === 1 ? 'answer' : 'answers'} ${guessed === 1 ? 'was' : 'were'} guessed: ` +
        `${fallbackRule(spec)} taken from a reply that states no answer; ` +
        'ask for the answer in the prompt, or pass --extract-mode strict to count only stated answers'
      );
    },
  };
}

/** What the type's fallback takes (which one depends on the strategy's --pick). */
function fallbackRule(spec: AnswerSpec): string {
  switch (spec.type) {
    case 'number':
      return 'a number';
    case 'choice':
      return 'a choice letter';
    case 'yesno':
      return 'a yes/no word';
    default:
      return 'a line';
  }
}
