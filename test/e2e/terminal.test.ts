/**
 * What a person at a terminal sees, in a real pseudo-terminal (test/support/pty.ts): the built CLI, a
 * loopback server, and the terminal's size as `stty` sets it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/openai-test-server.js';
import { readScreen, runInPty, startInPty } from '../support/pty.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

let directory = '';
let dataset = '';
const records = 40;

beforeAll(async () => {
  directory = await makeTempDir('promptlab-terminal-');
  dataset = join(directory, 'data.jsonl');
  const lines = Array.from({ length: records }, (_, index) =>
    JSON.stringify({ input: `What is ${index} plus ${index + 1}?`, expected: String(2 * index + 1) }),
  );
  await writeFile(dataset, `${lines.join('\n')}\n`);
});

const resultLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { schema: string; id: string });

describe('a terminal that reports 0 columns', () => {
  it('finishes the run with every record written, in bounded output', async () => {
    server = await startTestServer({ reply: arithmeticReply, latencyMs: 20 });
    const output = join(directory, 'zero-columns.jsonl');
    const run = await runInPty(
      ['cot', '-t', 'math', '-d', dataset, '-o', output, '--base-url', server.url, '-m', 'test-model', '-c', '2'],
      { columns: 0, rows: 0, timeoutMs: 20_000 },
    );
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(0);
    expect(await resultLines(output)).toHaveLength(records);
    // The hang wrote cursor-up sequences without end (a gigabyte in minutes); a run's view is a few KB.
    expect(run.output.length).toBeLessThan(20_000);
    expect(readScreen(run.output).widest).toBeLessThanOrEqual(80);
  });

  it('stops on Ctrl-C (SIGINT) and on SIGTERM with exit 130, results flushed', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      server = await startTestServer({ reply: arithmeticReply, latencyMs: 100 });
      const output = join(directory, `zero-columns-${signal}.jsonl`);
      const run = startInPty(
        ['cot', '-t', 'math', '-d', dataset, '-o', output, '--base-url', server.url, '-m', 'test-model', '-c', '1'],
        { columns: 0, rows: 0, timeoutMs: 20_000 },
      );
      const pid = await run.pid;
      while (!(await readFile(output, 'utf8').catch(() => '')).includes('\n'))
        await new Promise((resolve) => setTimeout(resolve, 50));
      process.kill(pid, signal);
      const result = await run.result;
      expect(result.timedOut).toBe(false);
      expect(result.code).toBe(130);
      const written = await resultLines(output);
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(records);
      await server.close();
      server = null;
    }
  });
});
