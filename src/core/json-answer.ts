/**
 * Answers stated as JSON, the way chat models write them when asked for `{"reasoning": ..., "answer": ...}`:
 * in a ```json fence or bare, pretty-printed or on one line, followed by prose, nested one level down,
 * several objects in one reply, or not quite JSON (single quotes, trailing commas, a raw newline in a
 * string, cut off by the token limit).
 */

/** One answer field found in a text: its value as text, and where its object starts and ends. */
export interface JsonAnswer {
  value: string;
  index: number;
  /** Just past the object's closing brace (the end of the text for one cut off). */
  end: number;
}

/*
 * An object worth reading starts with a key: `{"`, `{'` or `{answer:`. That keeps `\frac{1}{2}`,
 * `\boxed{5}`, `{1, 2, 3}` and `{{handlebars}}` out.
 */
const OBJECT_START = /\{(?=\s*(?:["']|[A-Za-z_$][\w$]*\s*:))/g;

/** Keys that hold the final answer, compared without case, spaces, `_` or `-`; the first listed wins. */
const ANSWER_KEYS = ['finalanswer', 'answer'];
/** Inside an answer that is itself an object (`{"value": 70000, "unit": "USD"}`), the part that is the answer. */
const VALUE_KEYS = ['finalanswer', 'answer', 'value'];

/** Every answer field of every object in the text, in order of the objects. */
export function findJsonAnswers(text: string): JsonAnswer[] {
  const answers: JsonAnswer[] = [];
  let resumeAt = 0;
  for (const start of text.matchAll(OBJECT_START)) {
    if (start.index < resumeAt) continue; // inside an object already read
    const end = closingBrace(text, start.index);
    const source = text.slice(start.index, end);
    resumeAt = end;
    const parsed = parseJson(source);
    const value = parsed === undefined ? answerOfLooseObject(source) : answerOfParsed(parsed);
    if (value !== null) answers.push({ value, index: start.index, end });
  }
  return answers;
}

/** Just past the brace that closes the object opened at `start` (strings skipped); the end of the text if none. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let at = start; at < text.length; at++) {
    const character = text[at];
    if (quote !== null) {
      if (character === '\\') at++;
      else if (character === quote) quote = null;
      continue;
    }
    if (character === '"') quote = character;
    else if (character === '{' || character === '[') depth++;
    else if ((character === '}' || character === ']') && --depth === 0) return at + 1;
  }
  return text.length;
}

function parseJson(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return undefined;
  }
}

/** The answer field of a parsed value: its own keys first, then the shallowest nested object that has one. */
function answerOfParsed(value: unknown): string | null {
  let level: unknown[] = [value];
  while (level.length > 0) {
    for (const node of level) {
      const found = isRecord(node) ? fieldOf(node, ANSWER_KEYS) : undefined;
      const text = found === undefined ? null : answerText(found);
      if (text !== null) return text;
    }
    level = level.flatMap((node) => (isRecord(node) ? Object.values(node) : Array.isArray(node) ? node : []));
  }
  return null;
}

function fieldOf(record: Record<string, unknown>, keys: readonly string[]): unknown {
  const byKey = new Map(Object.entries(record).map(([key, value]) => [simplifyKey(key), value]));
  for (const key of keys) if (byKey.has(key)) return byKey.get(key);
  return undefined;
}

/** What an answer field's value says, as text; null when it says nothing (null, "", {}). */
function answerText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(answerText).filter((part): part is string => part !== null);
    return parts.length === 0 ? null : parts.join(', ');
  }
  if (isRecord(value)) {
    const inner = fieldOf(value, VALUE_KEYS);
    return inner === undefined ? null : answerText(inner);
  }
  return null;
}

/*
 * For text that is not JSON: `"answer": "70000"`, `'answer': 42`, `answer: B`, `"final_answer": "$5",`.
 * The value is a quoted string, or a bare value up to a comma, brace, quote, `//` comment or line end.
 */
const LOOSE_ANSWER_FIELD =
  /(?:(["'])\s*(?:final[\s_-]*)?answer\s*\1|(?<![\w$])(?:final_?)?answer)\s*:\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|(?:(?!\s*\/\/)[^,}\]\n"'])+)/gi;

function answerOfLooseObject(source: string): string | null {
  const fields = [...source.matchAll(LOOSE_ANSWER_FIELD)];
  // The last field: a cut-off or repaired object states its final answer last.
  for (const field of fields.reverse()) {
    const value = looseValue(field[2] ?? '');
    if (value !== null) return value;
  }
  return null;
}

function looseValue(written: string): string | null {
  const trimmed = written.trim();
  if (trimmed.startsWith('"')) {
    const decoded = parseJson(trimmed);
    return answerText(typeof decoded === 'string' ? decoded : trimmed.slice(1, -1));
  }
  if (trimmed.startsWith("'")) return answerText(trimmed.slice(1, -1).replace(/\\'/g, "'"));
  if (trimmed === 'null' || trimmed === 'None') return null;
  return answerText(trimmed);
}

function simplifyKey(key: string): string {
  return key.toLowerCase().replace(/[\s_-]+/g, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
