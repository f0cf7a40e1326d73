/**
 * Answers as models really write them, end to end through the CLI's main in-process (runCli) against the
 * loopback server: spellings of one answer under --normalize, JSON answers before trailing prose, two-stage
 * answer steps, and --extract-mode. Nothing here needs a real process (no signals, TTY or bundle).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { ReplyFn, TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { lastUser } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const startServer = useTestServers();

function serve(reply: ReplyFn): Promise<TestServer> {
  return startServer({ reply });
}

async function tempFile(name: string, content: string): Promise<string> {
  const path = join(await makeTempDir('promptlab-answers-'), name);
  await writeFile(path, content);
  return path;
}

const endpoint = (target: TestServer) => ['--base-url', target.url, '-m', 'test-model'];

/** One input answered as a number: the record of the run's --json document (the run must succeed). */
async function numberRecord(target: TestServer, args: readonly string[]) {
  const result = await runCli([...args, '--answer', 'number', '--json', ...endpoint(target)]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** Five samples of a last-letters answer, spelt as GPT-3.5 spells them in the ESC recordings. */
const spellings = ["'aao y'", 'aaoy', '"aaoy"', 'aao y', 'onea'];
const lastLetters: ReplyFn = (_call, index) =>
  `The last letters are a, a, o and y. The answer is ${spellings[index % spellings.length]}.`;

describe('--normalize', () => {
  it('votes the spellings of one answer together; the record keeps the first spelling', async () => {
    const target = await serve(lastLetters);
    const run = (extra: string[]) =>
      runCli([
        'self-consistency',
        'Take the last letters',
        '--samples',
        '5',
        '--answer',
        'text',
        '--json',
        ...extra,
        ...endpoint(target),
      ]);

    const plain = await run([]);
    expect(plain.code).toBe(0);
    // The default rule already drops the quotes and the full stop, but "aao y" keeps its space.
    expect(JSON.parse(plain.stdout).votes).toEqual({ 'aao y': 2, aaoy: 2, onea: 1 });

    const lettersOnly = await run(['--normalize', 'remove-whitespace,remove-punctuation']);
    expect(lettersOnly.code).toBe(0);
    const record = JSON.parse(lettersOnly.stdout);
    expect(record.votes).toEqual({ aaoy: 4, onea: 1 });
    expect(record.answer).toBe("'aao y'.");
    expect(record.agreement).toBe(0.8);
    expect(record.completions.map((completion: { answer: string }) => completion.answer)).toEqual([
      "'aao y'.",
      'aaoy.',
      '"aaoy".',
      'aao y.',
      'onea.',
    ]);
    expect(record.completions.every((completion: { via: string }) => completion.via === 'phrase')).toBe(true);
  });

  it('comes from a template front matter, and the flag beats it', async () => {
    const target = await serve(lastLetters);
    const project = await makeTempDir('promptlab-answers-');
    await mkdir(join(project, 'prompts'));
    await writeFile(
      join(project, 'prompts', 'letters.prompt'),
      '---\npromptlab:\n  answer: text\n  normalize: [remove-whitespace, remove-punctuation]\n---\n{{input}}\n',
    );
    const run = (extra: string[]) =>
      runCli(
        [
          'self-consistency',
          'Take the last letters',
          '-t',
          'letters',
          '--samples',
          '5',
          '--json',
          ...extra,
          ...endpoint(target),
        ],
        {
          cwd: project,
        },
      );

    const fromTemplate = await run([]);
    expect(fromTemplate.code).toBe(0);
    expect(JSON.parse(fromTemplate.stdout).votes).toEqual({ aaoy: 4, onea: 1 });
    const fromFlag = await run(['--normalize', 'lowercase']);
    expect(JSON.parse(fromFlag.stdout).votes).toEqual({ 'aao y': 2, aaoy: 2, onea: 1 });
    // The template's rule applies to a regex answer given by flag; a typed answer has its own and drops it.
    const asRegex = await run(['--answer', 'regex:answer is (.*)']);
    expect(JSON.parse(asRegex.stdout).votes).toEqual({ aaoy: 4, onea: 1 });
    const asChoice = await run(['--answer', 'choice']);
    expect([asChoice.code, asChoice.stderr]).toEqual([0, '']);
  });

  it('scores with the task rule in compare', async () => {
    const target = await serve(() => 'The answer is aao y.');
    const dataset = await tempFile('letters.jsonl', jsonl([{ id: 'q1', input: 'last letters', expected: 'aaoy' }]));
    const run = (extra: string[]) =>
      runCli([
        'compare',
        '-d',
        dataset,
        '--strategies',
        'zero-shot,cot',
        '--answer',
        'text',
        '--json',
        ...extra,
        ...endpoint(target),
      ]);

    const plain = JSON.parse((await run([])).stdout);
    expect(plain.strategies.map((summary: { correct: number }) => summary.correct)).toEqual([0, 0]);
    const ruled = await run(['--normalize', 'remove-whitespace']);
    expect(ruled.code).toBe(0);
    expect(JSON.parse(ruled.stdout).strategies.map((summary: { correct: number }) => summary.correct)).toEqual([1, 1]);
  });

  it('re-scores recorded samples with score --normalize, at every --max-samples', async () => {
    const recorded = await tempFile(
      'samples.jsonl',
      jsonl([
        { expected: 'aaoy', completions: spellings.map((spelling) => `The answer is ${spelling}.`) },
        { expected: 'onea', completions: ['The answer is aaoy.', 'The answer is "onea".', 'The answer is on ea.'] },
      ]),
    );
    const score = async (extra: string[]) => {
      const result = await runCli(['score', recorded, '--answer', 'text', '--json', ...extra]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).correct;
    };
    expect(await score([])).toBe(0);
    expect(await score(['--normalize', 'remove-whitespace,remove-punctuation'])).toBe(2);
    expect(await score(['--normalize', 'remove-whitespace,remove-punctuation', '--max-samples', '1'])).toBe(1);
  });

  it.each([
    [
      ['--answer', 'number', '--normalize', 'lowercase'],
      '--normalize: applies to text and regex answers; --answer number has its own canonical form',
    ],
    [
      ['--normalize', 'remove-spaces'],
      '--normalize: unknown normalisation step "remove-spaces" (known: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles)',
    ],
    [['--extract-mode', 'loose'], '--extract-mode'],
  ])('%j is an input error naming the flag', async (flags, message) => {
    const result = await runCli(['zero-shot', 'hello', ...flags, '--base-url', 'http://127.0.0.1:9', '-m', 'm']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it('is checked by score too', async () => {
    const recorded = await tempFile('one.jsonl', jsonl([{ expected: '1', completion: '1' }]));
    const result = await runCli(['score', recorded, '--answer', 'choice', '--normalize', 'lowercase']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--normalize: applies to text and regex answers; --answer choice');
  });
});

describe('answers as chat models write them', () => {
  it('takes a JSON answer over the prose that follows it', async () => {
    const target = await serve(
      () =>
        '```json\n{\n  "reasoning": "Revenue 120000 minus costs 50000",\n  "answer": "70000"\n}\n```\n\nThe key steps are: 1. add the revenue 2. subtract the costs',
    );
    const record = await numberRecord(target, ['zero-shot', 'What was the profit?']);
    expect(record.answer).toBe('70000');
    expect(record.completions[0].via).toBe('json');
  });

  it('takes the first candidate of a two-stage answer step, not a later phrase', async () => {
    const target = await serve((call) =>
      /Therefore, the answer/.test(lastUser(call))
        ? ' 25%. The answer (as a fraction) is 1/4.'
        : 'One of four slices is eaten, which is a quarter.',
    );
    const record = await numberRecord(target, ['cot', 'What share of the pizza was eaten?', '--extract', 'two-stage']);
    expect(record.answer).toBe('25');
    expect(record.completions[0]).toMatchObject({
      answer: '25',
      via: 'phrase',
      answerStep: ' 25%. The answer (as a fraction) is 1/4.',
    });
  });
});

describe('--extract-mode', () => {
  const joke: ReplyFn = () => 'Your message had 4 words, so here is a joke about 2 owls.';

  it('flexible (the default) falls back to the type rule and says how', async () => {
    const target = await serve(joke);
    const record = await numberRecord(target, ['zero-shot', 'Tell me a joke']);
    expect(record.answer).toBe('4'); // zero-shot picks the first candidate
    expect(record.completions[0].via).toBe('fallback');
  });

  it('says once on stderr when most answers of a run were guessed', async () => {
    const target = await serve(joke);
    const dataset = await tempFile(
      'jokes.jsonl',
      jsonl([1, 2, 3].map((id) => ({ id: String(id), input: `Tell me joke ${id}` }))),
    );
    const result = await runCli(['zero-shot', '-d', dataset, '--answer', 'number', '--jsonl', ...endpoint(target)]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      'warning: 3 of 3 answers were guessed: a number taken from a reply that states no answer; ask for the answer in the prompt, or pass --extract-mode strict to count only stated answers',
    ]);

    const quiet = await runCli([
      'zero-shot',
      '-d',
      dataset,
      '--answer',
      'number',
      '--jsonl',
      '-q',
      ...endpoint(target),
    ]);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
  });

  it.each([
    ['no answer type is given: the reply is the answer', joke, []],
    ['the replies are bare answers', () => '4', ['--answer', 'number']],
    ['the replies state their answers', () => 'We count 4 words. The answer is 4.', ['--answer', 'number']],
    ['strict mode guesses nothing', joke, ['--answer', 'number', '--extract-mode', 'strict']],
  ])('says nothing when %s', async (_name, reply, flags) => {
    const target = await serve(reply);
    const result = await runCli(['zero-shot', 'Tell me a joke', '--json', ...flags, ...endpoint(target)]);
    expect([result.code, result.stderr]).toEqual([0, '']);
  });

  it('says it in compare and score too', async () => {
    const target = await serve(joke);
    const dataset = await tempFile('jokes.jsonl', jsonl([{ id: 'j', input: 'Tell me a joke', expected: '4' }]));
    const compared = await runCli([
      'compare',
      '-d',
      dataset,
      '--strategies',
      'zero-shot,cot',
      '--answer',
      'number',
      '--json',
      ...endpoint(target),
    ]);
    expect(compared.code).toBe(0);
    expect(compared.stderr).toContain('warning: 2 of 2 answers were guessed: a number taken from a reply');

    const recorded = await tempFile('jokes.jsonl', jsonl([{ expected: '4', completion: 'Your message had 4 words.' }]));
    const scored = await runCli(['score', recorded, '--answer', 'number', '--json']);
    expect(scored.code).toBe(0);
    expect(scored.stderr).toContain('warning: 1 of 1 answer was guessed: a number taken from a reply');
  });

  it('strict accepts only a stated answer', async () => {
    const target = await serve((call) =>
      lastUser(call).includes('joke') ? 'Your message had 4 words.' : 'We add them: 3 + 4 = 7.\n#### 7',
    );
    const dataset = await tempFile(
      'mixed.jsonl',
      jsonl([
        { id: 'joke', input: 'Tell me a joke', expected: '4' },
        { id: 'sum', input: 'What is 3 plus 4?', expected: '7' },
      ]),
    );
    const result = await runCli([
      'zero-shot',
      '-d',
      dataset,
      '--answer',
      'number',
      '--extract-mode',
      'strict',
      '--jsonl',
      ...endpoint(target),
    ]);
    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .sort((left, right) => left.id.localeCompare(right.id));
    expect(records.map((record) => [record.id, record.answer, record.correct, record.completions[0].via])).toEqual([
      ['joke', null, false, null],
      ['sum', '7', true, 'phrase'],
    ]);
  });

  it('strict in score counts only stated answers', async () => {
    const recorded = await tempFile(
      'mixed.jsonl',
      jsonl([
        { expected: '4', completion: 'Your message had 4 words.' },
        { expected: '7', completion: '3 + 4 = 7\n#### 7' },
      ]),
    );
    const score = async (mode: string) =>
      JSON.parse((await runCli(['score', recorded, '--answer', 'number', '--extract-mode', mode, '--json'])).stdout);
    expect((await score('flexible')).correct).toBe(2);
    expect(await score('strict')).toMatchObject({ correct: 1, extractionFailures: 1 });
  });
});
