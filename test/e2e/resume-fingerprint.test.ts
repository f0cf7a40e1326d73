/**
 * --resume trusts only the run that wrote the file (in-process through runCli): every result carries a
 * fingerprint of what made it — the record, the template and --system, the strategy's options (files by
 * content), the sampling settings and the answer rules — and resuming with any of them changed, another
 * model, or another dataset, is exit 2 naming what differs, before a request is sent (issue 12, item 4).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

const startServer = useTestServers({ reply: arithmeticReply });
let server: TestServer;

async function serve(): Promise<TestServer> {
  server = await startServer();
  return server;
}
/** Records without ids: their ids are their line numbers, the same in any dataset of the same length. */
const questions = (offset: number, count = 6) =>
  Array.from({ length: count }, (_, index) => ({
    input: `What is ${index + offset} plus 2?`,
    expected: String(index + offset + 2),
  }));
const template = (trigger: string) => `---\npromptlab:\n  answer: number\n---\n{{input}} ${trigger}\n`;

/** A folder with a dataset, a results file from its first three records, and what the run was. */
async function halfDone(firstArgs: string[] = [], strategy = 'zero-shot') {
  await serve();
  const cwd = await makeTempDir('promptlab-fingerprint-');
  await writeFile(join(cwd, 'data.jsonl'), jsonl(questions(1)));
  await writeFile(join(cwd, 'half.jsonl'), jsonl(questions(1, 3)));
  await writeFile(join(cwd, 'other.jsonl'), jsonl(questions(101)));
  await writeFile(join(cwd, 'short.jsonl'), jsonl(questions(1, 2)));
  await writeFile(join(cwd, 'quick.prompt'), template('Answer with a number.'));
  await writeFile(join(cwd, 'examples.jsonl'), jsonl([{ input: 'What is 1 plus 1?', output: '2' }]));
  const base = [strategy, '--base-url', server.url, '-m', 'test-model', '--answer', 'number'];
  const first = await runCli([...base, '-d', 'half.jsonl', '-o', 'out.jsonl', ...firstArgs], { cwd });
  expect(first.code).toBe(0);
  const written = await readFile(join(cwd, 'out.jsonl'), 'utf8');
  // A flag given again replaces the first run's (a flag given twice is refused).
  const resume = (args: string[]) => runCli([...withoutFlags(base, args), '--resume', 'out.jsonl', ...args], { cwd });
  return { cwd, written, resume, requestsBefore: server.counts.chat };
}

/** `args` without the flags (and their values) that `overrides` gives again. */
function withoutFlags(args: string[], overrides: string[]): string[] {
  const given = new Set(overrides.filter((arg) => arg.startsWith('-')));
  return args.filter((arg, index) => !given.has(arg) && !given.has(args[index - 1] ?? ''));
}

describe('--resume of a different run is exit 2 naming what differs, and sends nothing', () => {
  it.each<[string, string[], string[], string, string?]>([
    [
      'another dataset with the same ids',
      [],
      ['-d', 'other.jsonl'],
      'record 1 (other.jsonl:1) is not the record its result in the file was made from (its variables or expected answer differ: another dataset, or other --var/--vars)',
    ],
    ['--temperature', [], ['-d', 'data.jsonl', '--temperature', '0.5'], '--temperature 0 in the file, 0.5 now'],
    ['--max-tokens', ['--max-tokens', '64'], ['-d', 'data.jsonl'], '--max-tokens 64 in the file, none now'],
    ['--seed', [], ['-d', 'data.jsonl', '--seed', '3'], '--seed none in the file, 3 now'],
    ['the model', [], ['-d', 'data.jsonl', '-m', 'other-model'], 'model test-model in the file, other-model now'],
    ['the template', [], ['-d', 'data.jsonl', '-t', 'quick.prompt'], 'template question in the file, quick now'],
    [
      '--system',
      ['--system', 'Be brief.'],
      ['-d', 'data.jsonl', '--system', 'Be very brief.'],
      '--system differs from the file’s',
    ],
    [
      'the answer rules',
      [],
      ['-d', 'data.jsonl', '--answer', 'text', '--normalize', 'lowercase'],
      '--answer number in the file, text now; --normalize none in the file, lowercase now',
    ],
    [
      '--extract-mode',
      [],
      ['-d', 'data.jsonl', '--extract-mode', 'strict'],
      '--extract-mode flexible in the file, strict now',
    ],
    [
      '--samples',
      ['--samples', '3'],
      ['-d', 'data.jsonl', '--samples', '4'],
      '--samples 3 in the file, 4 now',
      'self-consistency',
    ],
    [
      '--trigger',
      [],
      ['-d', 'data.jsonl', '--trigger', 'Let us work through this slowly and carefully.'],
      '--trigger differs from the file’s',
      'cot',
    ],
  ])('%s', async (_name, firstArgs, resumeArgs, difference, strategy) => {
    const { cwd, written, resume, requestsBefore } = await halfDone(firstArgs, strategy);
    const result = await resume(resumeArgs);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `promptlab: --resume out.jsonl: written by another run: ${difference}; resume with what wrote it, or write to a new file\n`,
    );
    expect(server.counts.chat).toBe(requestsBefore);
    expect(await readFile(join(cwd, 'out.jsonl'), 'utf8')).toBe(written);
  });

  it('an edited template of the same name, and an examples file whose content changed', async () => {
    const edited = await halfDone(['-t', 'quick.prompt']);
    await writeFile(join(edited.cwd, 'quick.prompt'), template('Reply with the number alone.'));
    const templateChanged = await edited.resume(['-d', 'data.jsonl', '-t', 'quick.prompt']);
    expect(templateChanged.code).toBe(2);
    expect(templateChanged.stderr).toMatch(
      /written by another run: template quick changed since the file was written;/,
    );

    const fewShot = await halfDone(['--examples', 'examples.jsonl', '--shots', '1'], 'few-shot');
    await writeFile(join(fewShot.cwd, 'examples.jsonl'), jsonl([{ input: 'What is 2 plus 2?', output: '4' }]));
    const examplesChanged = await fewShot.resume(['-d', 'data.jsonl', '--examples', 'examples.jsonl', '--shots', '1']);
    expect(examplesChanged.code).toBe(2);
    expect(examplesChanged.stderr).toMatch(
      /written by another run: --examples file’s content differs from the file’s;/,
    );
    expect(server.counts.chat).toBe(fewShot.requestsBefore);
  });

  it('a dataset that lacks records the file has results for', async () => {
    const { cwd, resume } = await halfDone();
    const result = await resume(['-d', 'short.jsonl']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'promptlab: --resume out.jsonl: holds results for 1 record(s) that short.jsonl does not have (3); it was written from another dataset: resume with that one, or write to a new file\n',
    );
    expect((await readFile(join(cwd, 'out.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(3);
  });
});

describe('the same run resumes', () => {
  it('with the same flags in another order, files by content not name, and --yes changing nothing', async () => {
    const { cwd, resume, requestsBefore } = await halfDone(
      ['--samples', '3', '--temperature', '0.7'],
      'self-consistency',
    );
    const result = await resume(['--temperature', '0.70', '-d', 'data.jsonl', '--samples', '3', '--yes']);
    expect(result.stderr).not.toMatch(/^promptlab:|--resume/m);
    expect(result.code).toBe(0);
    expect(server.counts.chat - requestsBefore).toBe(3);
    const lines = (await readFile(join(cwd, 'out.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((line) => JSON.stringify({ ...line.fingerprint, record: null }))).size).toBe(1);
  });

  it('a file written before fingerprints: resumed with a warning, its model and template still checked', async () => {
    const { cwd, resume } = await halfDone();
    const lines = (await readFile(join(cwd, 'out.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    await writeFile(join(cwd, 'out.jsonl'), jsonl(lines.map(({ fingerprint: _dropped, ...line }) => line)));
    const otherModel = await resume(['-d', 'data.jsonl', '-m', 'other-model']);
    expect(otherModel.code).toBe(2);
    expect(otherModel.stderr).toMatch(/written by another run: model test-model in the file, other-model now;/);
    const resumed = await resume(['-d', 'data.jsonl']);
    expect(resumed.code).toBe(0);
    // The warning, then the one-line summary a log gets when the results went to a file.
    expect(resumed.stderr.split('\n')).toEqual([
      'warning: --resume out.jsonl: its results carry no run fingerprint (written by an earlier promptlab): only their model, strategy and template name are checked',
      expect.stringMatching(/^zero-shot: 6\/6 correct, .* → out\.jsonl$/),
      '',
    ]);
  });

  it('score and report read a file whose results carry fingerprints, every line still a result', async () => {
    const { cwd } = await halfDone();
    const lines = (await readFile(join(cwd, 'out.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.schema)).toEqual(Array(3).fill('promptlab.result/v1'));
    expect(Object.keys(lines[0].fingerprint)).toEqual([
      'record',
      'template',
      'system',
      'options',
      'sampling',
      'answer',
    ]);
    const scored = await runCli(['score', 'out.jsonl', '--answer', 'number', '--json'], { cwd });
    expect(scored.code).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ n: 3, correct: 3 });
    expect((await runCli(['report', 'out.jsonl', '-o', 'report.html'], { cwd })).code).toBe(0);
  });
});

describe('a matrix resumes by cell', () => {
  it('compare --models a,b: kept per model, another temperature or model refused, nothing sent again', async () => {
    await serve();
    const cwd = await makeTempDir('promptlab-fingerprint-matrix-');
    await writeFile(join(cwd, 'data.jsonl'), jsonl(questions(1, 4)));
    const base = ['compare', '--base-url', server.url, '--answer', 'number', '-d', 'data.jsonl'];
    const first = await runCli(
      [...base, '--models', 'alpha,beta', '--strategies', 'zero-shot,cot', '-o', 'out.jsonl', '--jsonl'],
      { cwd },
    );
    expect(first.code).toBe(0);
    const results = (await readFile(join(cwd, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.schema === 'promptlab.result/v1');
    expect(new Set(results.map((line) => `${line.model}/${line.strategy}`)).size).toBe(4);
    expect(results.every((line) => typeof line.fingerprint?.record === 'string')).toBe(true);
    const sent = server.counts.chat;

    const same = await runCli(
      [...base, '--models', 'alpha,beta', '--strategies', 'zero-shot,cot', '--resume', 'out.jsonl'],
      {
        cwd,
      },
    );
    expect(same.code).toBe(0);
    // The whole matrix is summarised, from the file alone.
    expect(same.stderr.match(/^(alpha|beta)\/(zero-shot|cot): 4\/4 correct/gm)).toHaveLength(4);
    expect(server.counts.chat).toBe(sent);

    const hotter = await runCli(
      [
        ...base,
        '--models',
        'alpha,beta',
        '--strategies',
        'zero-shot,cot',
        '--temperature',
        '0.5',
        '--resume',
        'out.jsonl',
      ],
      { cwd },
    );
    expect(hotter.code).toBe(2);
    expect(hotter.stderr).toMatch(/written by another run: --temperature 0 in the file, 0\.5 now/);

    const otherModel = await runCli(
      [...base, '--models', 'gamma', '--strategies', 'zero-shot,cot', '--resume', 'out.jsonl'],
      {
        cwd,
      },
    );
    expect(otherModel.code).toBe(2);
    expect(otherModel.stderr).toMatch(/written by another run: model alpha in the file, gamma now/);
    expect(server.counts.chat).toBe(sent);
  });
});
