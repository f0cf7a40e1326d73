import type { AnswerSpec, AnswerVia, Pick } from './answer-spec.js';
import { findJsonAnswers, type JsonAnswer } from './json-answer.js';
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
 * `normalized` is `normalizeAnswer(raw)`, which is what votes and normalized scoring use; `via` says
 * how it was found.
 */
export interface ExtractedAnswer {
  raw: string;
  normalized: string;
  via: AnswerVia;
}

type Found = Omit<ExtractedAnswer, 'via'>;

/*
 * Phrases after which a completion states its final answer, matched case-insensitively: "the answer is X",
 * "Answer: X", "**Final Answer:** X", "the answer (arabic numerals) is X", GSM8K's "#### X", `<answer>X`
 * and "\boxed{X}".
 */
const ANSWER_PHRASE =
  /\banswer(?:\*\*|__)?\s*(?:\([^()\n]{0,40}\)\s*)?(?:is\b\s*:?|:)(?:\s*(?:\*\*|__)(?!\w))?|####|<(?:final_)?answer>|\\boxed\s*\{/gi;
/** Where a phrase's answer ends besides the next phrase: the closing tag, or a Minerva-style sign-off. */
const CLOSING_TAG = /<\/(?:final_)?answer>/i;
const SIGN_OFF = /[.!]?\s+I hope (?:it|this|that) (?:is|was) correct\b[\s\S]*$/i;

/**
 * Pulls the final answer out of a completion. A stated answer wins, whatever prose follows it: the last
 * JSON `answer` field, answer phrase or `\boxed{}` followed by an answer of the right type. With none,
 * `flexible` (the default) falls back to the `pick` candidate of the whole text and `strict` finds
 * nothing. `regex` specs apply their pattern directly.
 */
export function extractAnswer(reply: string, spec: AnswerSpec, pick: Pick = 'last'): ExtractedAnswer | null {
  const text = visibleReply(reply);
  if (spec.type === 'regex') return foundVia(pickFrom(candidatesForPattern(text, spec), pick), 'phrase');
  const stated = lastStatedAnswer(text, spec);
  if (stated !== null || spec.extractMode === 'strict') return stated;
  return foundVia(pickFrom(findCandidates(text, spec), pick), 'fallback');
}

/**
 * The answer step of two-stage extraction continues "Therefore, the answer (arabic numerals) is", so it
 * starts with the answer: its first candidate is the answer, and a phrase later in it ("25%. The answer
 * (as a fraction) is 1/4.") does not override it (Kojima et al.'s rule). Found via that phrase.
 */
export function extractFromAnswerStep(text: string, spec: AnswerSpec): ExtractedAnswer | null {
  if (spec.type === 'regex') return foundVia(candidatesForPattern(text, spec)[0] ?? null, 'phrase');
  const boxed = /^[\s$(]*\\boxed\s*\{/.exec(text);
  if (boxed !== null) {
    const inBox = firstAnswerIn(rewriteLatexNumbers(bracedContent(text.slice(boxed[0].length))), spec);
    if (inBox !== null) return { ...inBox, via: 'boxed' };
  }
  return foundVia(firstAnswerIn(text, spec), 'phrase');
}

/**
 * What a reasoning model says after its thinking (`<think>…</think>`, as DeepSeek-R1 and Qwen3 write it when
 * the server does not split it off): "so the answer is 41" while thinking does not outvote the reply. A
 * reply cut off while thinking is read whole.
 */
export function visibleReply(text: string): string {
  const close = text.lastIndexOf('</think>');
  if (close < 0) return text;
  const after = text.slice(close + '</think>'.length);
  return after.trim() === '' ? text : after;
}

function foundVia(found: Found | null, via: AnswerVia): ExtractedAnswer | null {
  return found === null ? null : { ...found, via };
}

function pickFrom(candidates: Found[], pick: Pick): Found | null {
  return (pick === 'first' ? candidates[0] : candidates.at(-1)) ?? null;
}

/**
 * The last answer the completion states, by position: a JSON object's answer field (its value is an
 * answer as a whole), or what follows an answer phrase or `\boxed{`. A statement followed by no answer of
 * the type ("... Therefore, the answer is" cut off by the token limit) gives way to the one before it.
 * Phrases inside an object that states an answer are its reasoning ("reasoning": "so the answer is 5"),
 * not statements of their own.
 */
function lastStatedAnswer(text: string, spec: AnswerSpec): ExtractedAnswer | null {
  const objects = text.includes('{') ? findJsonAnswers(text) : [];
  const insideObject = (at: number) => objects.some((object) => at >= object.index && at < object.end);
  const phrases = [...text.matchAll(ANSWER_PHRASE)].filter((phrase) => !insideObject(phrase.index));
  const statements = [
    ...objects.map((object) => ({ at: object.index, read: () => answerOfObject(object, spec) })),
    ...phrases.map((phrase, order) => ({
      at: phrase.index,
      // Each phrase's answer is looked for before the next phrase, so the words of "answer (A through E) is"
      // are not read as an answer and the scan stays linear however many phrases there are.
      read: () => answerAfterPhrase(text, phrase, phrases[order + 1]?.index ?? text.length, spec),
    })),
  ].sort((left, right) => left.at - right.at);
  for (const statement of statements.reverse()) {
    const answer = statement.read();
    if (answer !== null) return answer;
  }
  return null;
}

function answerOfObject(object: JsonAnswer, spec: AnswerSpec): ExtractedAnswer | null {
  const found = statedAnswerIn(rewriteLatexNumbers(object.value), spec);
  return found === null ? null : { ...found, via: 'json' };
}

function answerAfterPhrase(
  text: string,
  phrase: RegExpExecArray,
  nextPhrase: number,
  spec: AnswerSpec,
): ExtractedAnswer | null {
  const end = phrase.index + phrase[0].length;
  const boxed = phrase[0].toLowerCase().startsWith('\\boxed');
  // What follows a phrase is an answer as a whole, so LaTeX numbers in it are numbers: $\frac{1}{4}$ is 1/4.
  const segment = rewriteLatexNumbers(
    boxed ? bracedContent(text.slice(end, nextPhrase)) : phraseSegment(text.slice(end, nextPhrase), spec),
  );
  const answer = statedAnswerIn(segment, spec);
  return answer === null ? null : { ...answer, via: boxed ? 'boxed' : 'phrase' };
}

/**
 * Where a phrase's answer is: the rest of its line, or the next line that holds anything ("Answer:\n\n42"),
 * up to a closing `</answer>`; a text answer also stops before "I hope it is correct.". So "The answer is
 * below.\n3 + 4 = 7" states nothing, rather than 3.
 */
function phraseSegment(following: string, spec: AnswerSpec): string {
  const closed = CLOSING_TAG.exec(following);
  const untilTag = closed === null ? following : following.slice(0, closed.index);
  const line = untilTag.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return spec.type === 'text' ? line.replace(SIGN_OFF, '') : line;
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

/**
 * The answer in what a reply states as its answer. A number stated as working ("16 - 3 - 4 = 9 eggs, at $2
 * = $18") is the result after the last `=`; otherwise, and for other types, the first candidate.
 */
function statedAnswerIn(stated: string, spec: AnswerSpec): Found | null {
  const result = spec.type === 'number' ? stated.lastIndexOf('=') : -1;
  return (result < 0 ? null : firstAnswerIn(stated.slice(result + 1), spec)) ?? firstAnswerIn(stated, spec);
}

function firstAnswerIn(segment: string, spec: AnswerSpec): Found | null {
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
function findCandidates(text: string, spec: AnswerSpec): Found[] {
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

function candidatesForPattern(text: string, spec: AnswerSpec): Found[] {
  const pattern = compileAnswerPattern(spec);
  if (pattern === null) return [];
  return collect([...text.matchAll(pattern)].map((match) => answerFrom((match[1] ?? match[0]).trim(), spec)));
}

function answerFrom(raw: string, spec: AnswerSpec): Found | null {
  if (raw === '') return null;
  const normalized = normalizeAnswer(raw, spec);
  return normalized === null ? null : { raw, normalized };
}

function collect(answers: Array<Found | null>): Found[] {
  return answers.filter((answer): answer is Found => answer !== null);
}
