// Reads the plain-text run logs of Kojima et al. 2022 (kojima-takeshi188/zero_shot_cot).
// The logs are Python print() captures: one record per question between lines of 25 asterisks,
// holding the prompt + completion, then `pred_before : ...` (the raw answer-step output, which may
// span lines), `pred_after : ...` (their cleaned answer), `pred_list`, `pred_mode` and `GT : ...`.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const RECORD_SEPARATOR = /^\*{25}$/m;
const PRED_BEFORE = 'pred_before : ';
const PRED_AFTER = 'pred_after : ';
const PRED_LIST = 'pred_list : ';
const GOLD = 'GT : ';

/**
 * Parses one log file's text into records `{ index, question, predBefore, predAfter, gold }`.
 * Chunks without a `pred_before` (the Namespace header, the final accuracy line) are skipped.
 */
export function parseKojimaLog(text) {
  const records = [];
  for (const chunk of text.split(RECORD_SEPARATOR)) {
    const record = parseRecord(chunk);
    if (record !== null) records.push({ index: records.length + 1, ...record });
  }
  return records;
}

function parseRecord(chunk) {
  const lines = chunk.split('\n');
  const beforeAt = lines.findIndex((line) => line.startsWith(PRED_BEFORE));
  if (beforeAt < 0) return null;
  // pred_before runs until the pred_after line: the answer-step output may contain newlines.
  const afterAt = lines.findIndex((line, at) => at > beforeAt && line.startsWith(PRED_AFTER));
  const listAt = lines.findIndex((line, at) => at > afterAt && line.startsWith(PRED_LIST));
  const goldLine = lines.find((line) => line.startsWith(GOLD));
  if (afterAt < 0 || listAt < 0 || goldLine === undefined) {
    throw new Error(`malformed record near: ${lines.slice(beforeAt, beforeAt + 3).join(' | ')}`);
  }
  const predBefore = [lines[beforeAt].slice(PRED_BEFORE.length), ...lines.slice(beforeAt + 1, afterAt)].join('\n');
  const predAfter = [lines[afterAt].slice(PRED_AFTER.length), ...lines.slice(afterAt + 1, listAt)].join('\n');
  const questionLine = lines.find((line) => line.startsWith('Q: ')) ?? '';
  return { question: questionLine.slice(3), predBefore, predAfter, gold: goldLine.slice(GOLD.length), chunk };
}

/** `multiarith_zero_shot_cot.log` → `{ dataset: 'multiarith', method: 'zero_shot_cot' }`. */
export function describeLogFile(path) {
  const match = /^([a-z_]+?)_(zero_shot(?:_cot)?)\.log$/.exec(basename(path));
  if (match === null) return null;
  return { dataset: match[1], method: match[2] };
}

export async function readKojimaLog(path) {
  return parseKojimaLog(await readFile(path, 'utf8'));
}

/** The answer type each of Kojima's datasets uses, in promptlab's terms. */
export const ANSWER_TYPES = {
  multiarith: 'number',
  svamp: 'number',
  addsub: 'number',
  aqua: 'choice',
  strategyqa: 'yesno',
  coin_flip: 'yesno',
};

/**
 * Why promptlab's `raw` may differ from Kojima et al.'s `pred_after` on purpose. Each reason is a
 * documented rule of ours that differs from their `answer_cleansing`; a difference none of them
 * explains is a bug. Returns the reason, or null when there is none.
 */
export function explainDisagreement(answerType, predBefore, ours, theirs) {
  const reasons = {
    number: [
      [
        /^-?\d*\.?\d+\/\d/.test(ours) && theirs === ours.split('/')[0],
        'we read the fraction a/b; they keep the numerator',
      ],
      [
        /^-?\.\d/.test(ours) && theirs === ours.replace('.', '').replace('-', ''),
        'we read a bare ".25" as 0.25; their regex skips the dot',
      ],
      [
        ours.startsWith('-') && theirs === ours.slice(1) && predBefore.includes('-$'),
        'we keep a minus sign written before "$"',
      ],
    ],
    choice: [
      [
        new RegExp(`[A-Za-z0-9]${theirs}|${theirs}[A-Za-z0-9]`).test(predBefore) && theirs !== '',
        'they take a capital letter inside a word ("5C4"); we need it to stand alone',
      ],
    ],
    yesno: [
      [ours === 'true' || ours === 'false', 'we read true/false as yes/no'],
      [
        theirs === '' && new RegExp(`(^|[^a-z0-9])${ours}[^a-z0-9\\s.,:"']`, 'i').test(predBefore),
        'we split words at any punctuation ("YES!"); they split only at spaces and .,:"\'',
      ],
    ],
  };
  return (reasons[answerType] ?? []).find(([applies]) => applies)?.[1] ?? null;
}
