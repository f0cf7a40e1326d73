/** Flags that contradict each other, or say one thing twice, are refused with one line naming them; formats agree. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const startServer = useTestServers();

let directory = '';
beforeAll(async () => {
  directory = await makeTempDir('promptlab-flags-');
  await writeFile(join(directory, 'data.jsonl'), '{"input": "What is 1 plus 1?", "expected": "2"}\n');
});

describe('flags that cannot both hold', () => {
  it.each([
    [['--json', '--format', 'markdown'], '--json and --format markdown: choose one'],
    [['--jsonl', '--format', 'table'], '--jsonl and --format table: choose one'],
    [['--json', '--jsonl'], '--json and --jsonl: choose one'],
  ])('compare %j is refused', async (flags, message) => {
    const result = await runCli(['compare', '-d', join(directory, 'data.jsonl'), ...flags], { cwd: directory });
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `promptlab: ${message}\n` });
  });

  it.each([
    [['cot', '-m', 'a', '-m', 'b', 'x'], '-m/--model given twice: give it once'],
    // compare says how to compare several models.
    [
      ['compare', '-d', 'data.jsonl', '--model', 'a', '--model=b'],
      '-m takes one model; compare several with --models a,b',
    ],
    [
      ['zero-shot', '--api-key', 'sk-first-secret', '--api-key', 'sk-second-secret', 'x'],
      '--api-key given twice: give it once',
    ],
    [['score', 'x.jsonl', '--answer', 'number', '--answer', 'text'], '--answer given twice: give it once'],
  ])('%j: a flag that takes one value, given twice, is refused', async (args, message) => {
    const result = await runCli(args, { cwd: directory });
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `promptlab: ${message}\n` });
  });

  it('still collects the flags that repeat on purpose', async () => {
    const result = await runCli(['templates', 'render', 'question', '--var', 'a=1', '--var', 'input=hi', '--json']);
    expect(result.code).toBe(0);
  });
});

describe('record ids', () => {
  it('are the record’s 1-based ordinal in CSV as in JSONL (a header or a blank line is no record)', async () => {
    const server = await startServer({ reply: arithmeticReply });
    await writeFile(join(directory, 'data.csv'), 'input,expected\nWhat is 1 plus 1?,2\n\nWhat is 2 plus 2?,4\n');
    await writeFile(
      join(directory, 'blank.jsonl'),
      '{"input": "What is 1 plus 1?", "expected": "2"}\n\n{"input": "What is 2 plus 2?", "expected": "4"}\n',
    );
    for (const file of ['data.csv', 'blank.jsonl']) {
      const result = await runCli(
        ['zero-shot', '-d', join(directory, file), '--jsonl', '--base-url', server.url, '-m', 'test-model'],
        { cwd: directory },
      );
      expect(result.code).toBe(0);
      const ids = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id)
        .sort();
      expect(ids).toEqual(['1', '2']);
    }
  });
});
