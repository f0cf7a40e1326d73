// Reads the code-davinci-002 outputs of Lyu et al. 2023, "Faithful Chain-of-Thought Reasoning"
// (veronica320/Faithful-COT, commit 3017843): data/<DS>/test.jsonl holds {id, question, answer: "#### gold"},
// output_dir/<DS>/test/code002_<prompt>/predictions.jsonl holds {id, answer, completion} where `answer` is
// what the authors' code extracted from `completion`. Their scorer is ported here (source/dataset/utils.py,
// extract_pred_answer and str2num; source/evaluate/evaluate_answer_acc.py, is_correct) so the check can say,
// record by record, why promptlab's verdict differs from theirs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FAITHFUL_DATASETS = ['GSM8K', 'SVAMP', 'AQUA', 'date'];
export const FAITHFUL_PROMPTS = ['standard', 'COT', 'LtM'];

/** performance_summary.csv, code002 rows (%), which their stored answers reproduce. */
export const FAITHFUL_PUBLISHED = {
  standard: { GSM8K: 19.6, SVAMP: 69.5, AQUA: 31.5, date: 51.3 },
  COT: { GSM8K: 63.3, SVAMP: 77.3, AQUA: 42.1, date: 76.3 },
  LtM: { GSM8K: 38.3, SVAMP: 80.3, AQUA: 40.6, date: 76.6 },
};

/**
 * What a user passes to `promptlab score` for each dataset. The authors read only the text after the last
 * "answer is", so the answer must be stated (--extract-mode strict); numbers compare as numbers.
 */
export const FAITHFUL_FLAGS = {
  GSM8K: ['--answer', 'number', '--match', 'numeric', '--extract-mode', 'strict'],
  SVAMP: ['--answer', 'number', '--match', 'numeric', '--extract-mode', 'strict'],
  AQUA: ['--answer', 'choice', '--extract-mode', 'strict'],
  date: ['--answer', 'text', '--extract-mode', 'strict'],
};

const isNumberDataset = (dataset) => dataset === 'GSM8K' || dataset === 'SVAMP';

/** The run's records joined by id: `{ id, gold, stored, completion }`, in file order. */
export async function readFaithfulRun(directory, dataset, prompt) {
  const read = async (path) =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  const gold = new Map(
    (await read(join(directory, 'data', dataset, 'test.jsonl'))).map((example) => [
      example.id,
      String(example.answer).split('#### ').at(-1).trim(),
    ]),
  );
  const predictions = await read(
    join(directory, 'output_dir', dataset, 'test', `code002_${prompt}`, 'predictions.jsonl'),
  );
  return predictions.map((prediction) => ({
    id: prediction.id,
    gold: gold.get(prediction.id),
    stored: prediction.answer,
    completion: prediction.completion,
  }));
}

/**
 * Their reading of a stored number answer, before the scorer's int() and abs(): the first match of
 * `-?[0-9.,]+`, commas removed, as Python's float() reads it; null for "[invalid]" or what float() rejects.
 */
export function authorsNumber(stored) {
  if (typeof stored === 'number') return stored;
  if (String(stored).includes('[invalid]')) return null;
  const token = /(-?[0-9.,]+)/.exec(String(stored))?.[1]?.replace(/,/g, '');
  if (token === undefined || !/^-?(?:\d+\.?\d*|\.\d+)$/.test(token)) return null;
  return Number(token);
}

/** Their verdict: numbers as abs(int(x)) against int(gold) (the gold keeps its sign); other answers as strings. */
export function authorsVerdict(dataset, stored, gold) {
  if (!isNumberDataset(dataset)) return stored === gold;
  const value = authorsNumber(stored);
  return value !== null && Math.abs(Math.trunc(value)) === Number(gold.replace(/,/g, ''));
}

/** Their reading of our answer, so answers are compared the way the stored ones are. */
function ourReading(dataset, answer) {
  if (answer === null) return null;
  if (isNumberDataset(dataset)) return Number(answer);
  // date: "whitespace, `.` and `#` removed, exact string"
  return dataset === 'date' ? answer.replace(/[\s.#]/g, '') : answer;
}

function theirReading(dataset, stored) {
  if (isNumberDataset(dataset)) return authorsNumber(stored);
  return String(stored).includes('[invalid]') ? null : stored;
}

/**
 * Compares one record: whether our answer differs from theirs, whether the verdicts differ, and why.
 * `reason` is null when there is nothing to explain, or when a difference has no known cause (a bug).
 */
export function compareRecord(dataset, record, ourAnswer, ourVerdict) {
  const ours = ourReading(dataset, ourAnswer);
  const theirs = theirReading(dataset, record.stored);
  const answerDiffers = ours !== theirs;
  const verdictDiffers = ourVerdict !== authorsVerdict(dataset, record.stored, record.gold);
  if (!answerDiffers && !verdictDiffers) return null;
  const reason = answerDiffers ? answerReason(dataset, record.stored, ours, theirs) : verdictReason(ours, record.gold);
  return { answerDiffers, verdictDiffers, ours: ourAnswer, theirs: record.stored, reason };
}

function answerReason(dataset, stored, ours, theirs) {
  const text = String(stored);
  if (isNumberDataset(dataset)) {
    if (ours !== null && theirs === -ours && /^\s*-\s*\$/.test(text))
      return 'a minus sign written before "$": their number pattern drops it';
    const result = text.includes('=') ? leadingNumber(text.slice(text.lastIndexOf('=') + 1)) : null;
    if (result !== null && sameNumber(ours, result))
      return 'the answer is written as working ("5 + 3 = 8"): we take the result after the last "=", they the first number';
    const fraction = /^[^\d-]*(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(text);
    if (
      fraction !== null &&
      theirs === Number(fraction[1]) &&
      sameNumber(ours, Number(fraction[1]) / Number(fraction[2]))
    )
      return `we read the fraction ${fraction[1]}/${fraction[2]}; they take its numerator`;
  }
  if (dataset === 'AQUA' && ours !== null && text.startsWith(ours) && text.length > ours.length)
    return `their stored answer keeps what follows the letter (${JSON.stringify(text)}), so it never equals the gold`;
  return null;
}

/** The number a text starts with (a sign, `$`, thousands commas and a `/denominator` allowed); null if none. */
function leadingNumber(text) {
  const match = /^[^\d-]*(-)?\s*\$?\s*(\d[\d,]*(?:\.\d+)?)(?:\s*\/\s*(\d+(?:\.\d+)?))?/.exec(text);
  if (match === null) return null;
  const value = Number(match[2].replace(/,/g, '')) / (match[3] === undefined ? 1 : Number(match[3]));
  return match[1] === '-' ? -value : value;
}

/** Equal within 1e-9 relative: our canonical form keeps 12 significant digits of a fraction. */
function sameNumber(left, right) {
  if (left === null || right === null) return false;
  return left === right || Math.abs(left - right) <= 1e-9 * Math.max(Math.abs(left), Math.abs(right));
}

function verdictReason(ours, gold) {
  const wanted = Number(gold.replace(/,/g, ''));
  if (typeof ours !== 'number' || Number.isNaN(wanted)) return null;
  if (ours !== wanted && Math.abs(Math.trunc(ours)) === wanted)
    return `their scorer compares the absolute integer part: ${ours} counts as ${wanted}`;
  if (ours === wanted && wanted < 0)
    return `their scorer takes the absolute value of the answer but not of the gold: ${ours} never equals ${wanted}`;
  return null;
}
