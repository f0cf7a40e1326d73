import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyResumeLine, prepareResume } from '../../src/run/resume-file.js';
import { interruptedError, resumeOutputPath } from '../../src/run/resume-hints.js';
import type { ResultRecord } from '../../src/core/records.js';
import { InputError, UsageError } from '../../src/errors.js';
import { useTempDirs } from '../support/temp-dir.js';
import { resultRecord } from '../support/result-record.js';

const makeTempDir = useTempDirs();

const result = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...resultRecord({
      id,
      model: 'm',
      template: 'question',
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      latencyMs: 5,
    }),
    ...extra,
  });

describe('classifyResumeLine', () => {
  it.each([
    { text: '', last: false, kind: 'blank' },
    { text: result('a'), last: false, kind: 'result' },
    {
      text: result('a', { error: 'http://x/v1: retries exhausted after 3 attempts (500)' }),
      last: false,
      kind: 'errored',
    },
    { text: JSON.stringify({ schema: 'promptlab.summary/v1', strategy: 'cot', n: 3 }), last: false, kind: 'summary' },
    { text: result('a').slice(0, 40), last: true, kind: 'cut' },
  ])('$kind: $text', ({ text, last, kind }) => {
    expect(classifyResumeLine(text, 'f.jsonl:1', last).kind).toBe(kind);
  });

  it.each([
    {
      text: result('a').slice(0, 40),
      message: '--resume f.jsonl:3: not valid JSON (not a promptlab JSONL result file?)',
    },
    {
      text: '{"input":"What is 2 plus 2?","expected":"4"}',
      message:
        '--resume f.jsonl:3: not a promptlab.result/v1 line (schema: Invalid input: expected "promptlab.result/v1"); resume takes the JSONL written by -o FILE --jsonl',
    },
    {
      text: result('a', { requests: 'one' }),
      message:
        '--resume f.jsonl:3: not a promptlab.result/v1 line (requests: Invalid input: expected number, received string); resume takes the JSONL written by -o FILE --jsonl',
    },
  ])('refuses $text', ({ text, message }) => {
    expect(() => classifyResumeLine(text, 'f.jsonl:3', false)).toThrow(new InputError(message));
  });
});

async function resumeFrom(content: string, separateOutput = false) {
  const directory = await makeTempDir('promptlab-resume-unit-');
  const path = join(directory, 'out.jsonl');
  await writeFile(path, content);
  const output = separateOutput ? join(directory, 'other.jsonl') : path;
  const kept: ResultRecord[] = [];
  const state = await prepareResume(path, output, (line) => kept.push(line));
  return { state, kept, path, output, directory, text: await readFile(output, 'utf8') };
}

describe('prepareResume', () => {
  it('keeps good results, drops errored ones, summaries, duplicates and a cut last line', async () => {
    const content = [
      result('a'),
      result('b', { error: 'boom' }),
      result('c'),
      result('a', { answer: 'second copy' }),
      JSON.stringify({ schema: 'promptlab.summary/v1', strategy: 'cot', n: 3 }),
      result('d').slice(0, 30),
    ].join('\n');
    const { state, kept, text, directory, path } = await resumeFrom(content);
    expect(kept.map((line) => line.id)).toEqual(['a', 'c']);
    expect(state).toMatchObject({ kept: 2, retried: 1 });
    const cell = (strategy: string, model = 'm', variant: string | null = null) => ({ model, strategy, variant });
    expect([
      state.isDone('a', cell('cot')),
      state.isDone('b', cell('cot')),
      state.isDone('c', cell('cot')),
      state.isDone('d', cell('cot')),
      state.isDone('a', cell('zero-shot')),
      state.isDone('a', cell('cot', 'other-model')),
      state.isDone('a', cell('cot', 'm', 'cot-plan')),
    ]).toEqual([true, false, true, false, false, false, false]);
    expect(text).toBe(`${result('a')}\n${result('c')}\n`);
    // The rewritten file is a results file like any: the umask decides its mode, not promptlab.
    expect(await readdir(directory)).toEqual(['out.jsonl']); // no temporary file left behind
    await writeFile(join(directory, 'probe'), '');
    expect((await stat(path)).mode & 0o777).toBe((await stat(join(directory, 'probe'))).mode & 0o777);
  });

  it('leaves a clean file untouched', async () => {
    const content = `${result('a')}\n${result('b')}\n`;
    const { text, state } = await resumeFrom(content);
    expect(text).toBe(content);
    expect(state.kept).toBe(2);
  });

  it('writes the kept lines to a different -o', async () => {
    const { text, path } = await resumeFrom(`${result('a')}\n${result('b', { error: 'x' })}\n`, true);
    expect(text).toBe(`${result('a')}\n`);
    expect(await readFile(path, 'utf8')).toBe(`${result('a')}\n${result('b', { error: 'x' })}\n`);
  });

  it('starts from nothing when the file does not exist yet', async () => {
    const directory = await makeTempDir('promptlab-resume-unit-');
    const state = await prepareResume(join(directory, 'none.jsonl'), join(directory, 'none.jsonl'), () => undefined);
    expect(state.kept).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses a file that is not promptlab results and leaves it as it was', async () => {
    const content = '{"input":"a"}\n{"input":"b"}\n';
    const directory = await makeTempDir('promptlab-resume-unit-');
    const path = join(directory, 'data.jsonl');
    await writeFile(path, content);
    await expect(prepareResume(path, path, () => undefined)).rejects.toThrow(
      `--resume ${path}:1: not a promptlab.result/v1 line`,
    );
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(await readdir(directory)).toEqual(['data.jsonl']);
  });
});

describe('resumeOutputPath', () => {
  it.each([
    { flags: {}, output: null },
    { flags: { resume: 'a.jsonl' }, output: 'a.jsonl' },
    { flags: { resume: 'a.jsonl', output: 'b.jsonl' }, output: 'b.jsonl' },
    { flags: { resume: 'a.jsonl', jsonl: true }, output: 'a.jsonl' },
  ])('$flags → $output', ({ flags, output }) => {
    expect(resumeOutputPath(flags)).toBe(output);
  });

  it.each([
    { flags: { resume: 'a.jsonl', json: true }, message: '--resume appends JSON lines to the file; drop --json' },
    { flags: { resume: '-' }, message: '--resume needs a file written by -o FILE --jsonl, not stdin' },
  ])('refuses $flags', ({ flags, message }) => {
    expect(() => resumeOutputPath(flags)).toThrow(new UsageError(message));
  });
});

describe('interruptedError', () => {
  it.each([
    {
      finished: 12,
      resumable: 'out.jsonl',
      message: 'interrupted after 12 new result(s), written to out.jsonl; rerun with --resume out.jsonl to finish',
    },
    {
      finished: 1,
      resumable: 'my runs/out.jsonl',
      message:
        "interrupted after 1 new result(s), written to my runs/out.jsonl; rerun with --resume 'my runs/out.jsonl' to finish",
    },
    { finished: 0, resumable: null, message: 'interrupted before any result; nothing was written' },
    {
      finished: 3,
      resumable: null,
      message:
        'interrupted after 3 new result(s); to make a run resumable, write it with -o FILE --jsonl, then rerun with --resume FILE',
    },
  ])('$resumable', ({ finished, resumable, message }) => {
    const error = interruptedError(finished, resumable);
    expect([error.code, error.message]).toEqual(['interrupted', message]);
  });
});
