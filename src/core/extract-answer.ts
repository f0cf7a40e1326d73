import type { AnswerSpec, Pick } from './answer-spec.js';
import {
  allowedChoices,
  compileAnswerPattern,
  escapeRegExp,
  findNumbers,
  LATIN_WORD_CHARACTER,
  normalizeAnswer,
  rewriteLatexNumbers,
  YES_NO_WORD,
} from './normalize-answer.js';

/**
 * `raw` is the answer as cleaned by Kojima et al. 2022 (numbers without thousands separators, the
 * choice letter, the lower-case yes/no word), so exact-string scoring reproduces published numbers;
 * `normalized` is `normalizeAnswer(raw)`, which is what votes and normalized scoring use.
 */
export interface ExtractedAnswer {
  raw: string;
  normalized: string;
}

/*
 * Phrases after which a completion states its final answer, matched case-insensitively:
 * "the answer is X", "Answer: X", "the answer (arabic numerals) is X", GSM8K's "#### X", and "\boxed{X}".
 */
const ANSWER_PHRASE = /\banswer(?:\s*\([^()\n]{0,40}\))?\s*(?:is\b|:)\s*:?|####|\\boxed\s*\{/gi;

/**
 * Pulls the final answer out of a completion. An explicit answer phrase wins (the last one that is
 * followed by an answer of the right type, taking the first answer after it); otherwise the `pick`
 * candidate of the whole text. `regex` specs apply their pattern directly. Null when nothing is found.
 */
export function extractAnswer(text: string, spec: AnswerSpec, pick: Pick = 'last'): ExtractedAnswer | null {
  if (spec.type === 'regex') return pickFrom(candidatesForPattern(text, spec), pick);
  return answerAfterPhrase(text, spec) ?? pickFrom(findCandidates(text, spec), pick);
}

function pickFrom(candidates: ExtractedAnswer[], pick: Pick): ExtractedAnswer | null {
  return (pick === 'first' ? candidates[0] : candidates.at(-1)) ?? null;
}

function answerAfterPhrase(text: string, spec: AnswerSpec): ExtractedAnswer | null {
  const phrases = [...text.matchAll(ANSWER_PHRASE)];
  // The last phrase is the final answer; an earlier one only counts when a later one trails off
  // with nothing after it ("... Therefore, the answer is" cut off by the token limit). Each phrase's
  // answer is looked for before the next phrase, so the words of "answer (A through E) is" are not
  // read as an answer and the scan stays linear however many phrases there are.
  for (const [at, phrase] of [...phrases.entries()].reverse()) {
    const end = phrase.index + phrase[0].length;
    const nextPhrase = phrases[at + 1]?.index ?? text.length;
    const segment = phrase[0].toLowerCase().startsWith('\\boxed')
      ? rewriteLatexNumbers(bracedContent(text.slice(end, nextPhrase)))
      : text.slice(end, nextPhrase);
    const answer = firstAnswerIn(segment, spec);
    if (answer !== null) return answer;
  }
  return null;
}

/** The text up to the brace that closes the one just opened; all of it when none does. */
function bracedContent(text: string): string {
  let depth = 1;
  for (let at = 0; at < text.length; at++) {
    if (text[at] === '{') depth++;
    if (text[at] === '}' && --depth === 0) return text.slice(0, at);
  }
  return text;
}

function firstAnswerIn(segment: string, spec: AnswerSpec): ExtractedAnswer | null {
  if (spec.type === 'choice') {
    // Right after an answer phrase a letter in any case is a choice ("the answer is b."), as long as
    // it ends there: "the answer is a bit unclear" holds no choice.
    const leading = new RegExp(
      `^\\s*[(\\[]?(${alternatives(allowedChoices(spec))})(?=[)\\].,:;!?]|[^\\S\\n]*(?:\\n|$))`,
      'iu',
    );
    const letter = leading.exec(segment)?.[1];
    if (letter !== undefined) return answerFrom(spellingOf(letter, allowedChoices(spec)), spec);
  }
  return findCandidates(segment, spec)[0] ?? null;
}

/** Every answer of the spec's type in the text, in order. */
function findCandidates(text: string, spec: AnswerSpec): ExtractedAnswer[] {
  switch (spec.type) {
    case 'number':
      return collect(findNumbers(text).map((token) => answerFrom(token.raw, spec)));
    case 'choice':
      return collect(choiceLetters(text, allowedChoices(spec)).map((letter) => answerFrom(letter, spec)));
    case 'yesno':
      return collect([...text.matchAll(YES_NO_WORD)].map((match) => answerFrom(match[0].toLowerCase(), spec)));
    case 'text':
      return collect(text.split('\n').map((line) => answerFrom(line.trim(), spec)));
    case 'regex':
      return candidatesForPattern(text, spec);
    default:
      return [];
  }
}

/**
 * Choice letters standing alone: as the spec spells them (`B`, `B.`, `B)`), or bracketed in any case
 * (`(b)`). A letter inside a word never counts, unlike Kojima's `re.findall('A|B|C|D|E')`.
 */
function choiceLetters(text: string, choices: readonly string[]): string[] {
  const caseless = choices.map(anyCase).join('|');
  const pattern = new RegExp(
    `(?<!${LATIN_WORD_CHARACTER})(?:[(\\[](${caseless})[)\\]]|(${alternatives(choices)}))(?!${LATIN_WORD_CHARACTER})`,
    'gu',
  );
  return [...text.matchAll(pattern)].map((match) => spellingOf(match[1] ?? match[2] ?? '', choices));
}

/** The choice as the spec spells it (`b` → `B`). */
function spellingOf(found: string, choices: readonly string[]): string {
  return choices.find((choice) => choice.toLowerCase() === found.toLowerCase()) ?? found;
}

function alternatives(choices: readonly string[]): string {
  return choices.map(escapeRegExp).join('|');
}

function anyCase(choice: string): string {
  return [...choice]
    .map((character) => {
      const lower = character.toLowerCase();
      const upper = character.toUpperCase();
      return lower === upper || lower.length > 1 || upper.length > 1 ? escapeRegExp(character) : `[${lower}${upper}]`;
    })
    .join('');
}

function candidatesForPattern(text: string, spec: AnswerSpec): ExtractedAnswer[] {
  const pattern = compileAnswerPattern(spec);
  if (pattern === null) return [];
  return collect([...text.matchAll(pattern)].map((match) => answerFrom((match[1] ?? match[0]).trim(), spec)));
}

function answerFrom(raw: string, spec: AnswerSpec): ExtractedAnswer | null {
  if (raw === '') return null;
  const normalized = normalizeAnswer(raw, spec);
  return normalized === null ? null : { raw, normalized };
}

function collect(answers: Array<ExtractedAnswer | null>): ExtractedAnswer[] {
  return answers.filter((answer): answer is ExtractedAnswer => answer !== null);
}
