// The ESC vote table (Li et al. 2024, "Escape Sky-high Cost: Early-stopping Self-Consistency for Multi-step
// Reasoning"; GPT-3.5, last-letter concatenation, 500 questions × 40 samples at T 0.7): majority vote over the
// first k samples, k = 1, 5, 10, 20, 40, and the two early-stopping rules, by `promptlab score` with the
// task's answer rule (letters only: --normalize remove-whitespace,remove-punctuation).
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { printTable } from './print-table.mjs';
import { scoreRecords } from './score-cli.mjs';

const TASK_RULE = ['--answer', 'text', '--normalize', 'remove-whitespace,remove-punctuation'];

/** data/README.md: majority at k (ties to the answer seen first, empty answers do not vote). */
const PUBLISHED_VOTES = { 1: 80.6, 5: 82.4, 10: 82.8, 20: 83.0, 40: 83.0 };

/** Issue 11: what early stopping must keep, and the most samples per question it may use. */
const STOPPING_TARGETS = [
  { flags: ['--stop', 'esc'], label: 'ESC, window 5', atLeast: 83.0, atMostSamples: 8.7 },
  { flags: ['--stop', 'beta'], label: 'Beta, confidence 0.95', atLeast: 82.8, atMostSamples: 6.4 },
];

export async function checkEscVotes({ dataDirectory, repositoryRoot, scratch }) {
  const source = join(dataDirectory, 'esc-last-letters', 'T0.7.jsonl');
  console.log('\nESC last letters (Li et al. 2024), GPT-3.5, 40 samples per question: promptlab score');
  if (!existsSync(source)) {
    console.log(`  no samples at ${source}`);
    return 1;
  }
  const input = join(scratch, 'esc-last-letters.jsonl');
  const lines = (await readFile(source, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  await writeFile(
    input,
    `${lines
      .map((line) => JSON.parse(line))
      .map((row) => JSON.stringify({ expected: row.answer, completions: row.generated_answer }))
      .join('\n')}\n`,
  );
  console.log(
    `  jq -c '{expected: .answer, completions: .generated_answer}' T0.7.jsonl | promptlab score - ${TASK_RULE.join(' ')} [FLAGS]`,
  );
  let failures = 0;
  const rows = [['FLAGS', 'promptlab', 'samples/question', 'published / target', 'match']];
  for (const [k, published] of Object.entries(PUBLISHED_VOTES)) {
    const summary = summaryOf(repositoryRoot, input, [...TASK_RULE, '--max-samples', k]);
    const ok = summary !== null && accuracy(summary) === published.toFixed(1);
    if (!ok) failures++;
    rows.push([
      `--max-samples ${k}`,
      accuracyCell(summary),
      samplesCell(summary),
      `${published.toFixed(1)}%`,
      ok ? 'yes' : 'NO',
    ]);
  }
  for (const target of STOPPING_TARGETS) {
    const summary = summaryOf(repositoryRoot, input, [...TASK_RULE, ...target.flags]);
    const ok =
      summary !== null && Number(accuracy(summary)) >= target.atLeast && summary.samplesUsed <= target.atMostSamples;
    if (!ok) failures++;
    rows.push([
      target.flags.join(' '),
      accuracyCell(summary),
      samplesCell(summary),
      `>= ${target.atLeast.toFixed(1)}% at <= ${target.atMostSamples} (${target.label})`,
      ok ? 'yes' : 'NO',
    ]);
  }
  // Without the task's rule, the default text normalisation (issue 11: at least 81.8 %).
  const plain = summaryOf(repositoryRoot, input, ['--answer', 'text']);
  const plainOk = plain !== null && Number(accuracy(plain)) >= 81.8;
  if (!plainOk) failures++;
  rows.push([
    '(no --normalize)',
    accuracyCell(plain),
    samplesCell(plain),
    '>= 81.8% (default text rule)',
    plainOk ? 'yes' : 'NO',
  ]);
  printTable(rows);
  return failures;
}

function summaryOf(repositoryRoot, input, flags) {
  const scored = scoreRecords(repositoryRoot, input, flags);
  if (scored.error !== null) console.log(`  ${flags.join(' ')}: ${scored.error}`);
  return scored.summary;
}

const accuracy = (summary) => (100 * summary.accuracy).toFixed(1);
const accuracyCell = (summary) =>
  summary === null ? 'failed' : `${summary.correct}/${summary.n} ${accuracy(summary)}%`;
const samplesCell = (summary) => (summary === null ? '' : String(Number(summary.samplesUsed.toFixed(2))));
