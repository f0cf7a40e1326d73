/**
 * What a person at a terminal sees, in a real pseudo-terminal (test/support/pty.ts): the built CLI, a
 * loopback server, and the terminal's size as `stty` sets it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { TestServer } from '../support/openai-test-server.js';
import { readScreen, runInPty, startInPty } from '../support/pty.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { arithmeticReply, solve } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const startServer = useTestServers();

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
    const server = await startServer({ reply: arithmeticReply, latencyMs: 20 });
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
      const server = await startServer({ reply: arithmeticReply, latencyMs: 100 });
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
    }
  });
});

const endpoint = (target: TestServer) => ['--base-url', target.url, '-m', 'test-model'];
const widest = (output: string) => readScreen(output).widest;
const fixtures = (name: string) => join(repoRoot, 'fixtures', name);

describe('80 columns', () => {
  it('fits the five-strategy compare: progress in total, the table compact, the notes wrapped', async () => {
    const server = await startServer({ reply: arithmeticReply, latencyMs: 30 });
    const run = await runInPty(
      [
        'compare',
        ...['-t', 'math', '-d', dataset, '--examples', fixtures('examples.jsonl'), '--pool', fixtures('pool.jsonl')],
        ...['--strategies', 'zero-shot,few-shot,in-context,cot,self-consistency', '--samples', '3', '-c', '4'],
        ...endpoint(server),
      ],
      { columns: 80 },
    );
    expect(run.code).toBe(0);
    expect(widest(run.output)).toBeLessThanOrEqual(80);
    // Five strategies' counts take 100 columns: the line says them in total.
    expect(run.output).toMatch(/5 strategies \d+\/200 · ETA \d+ s/);
    const lines = readScreen(run.output).lines;
    const header = lines.find((line) => line.startsWith('strategy'))!;
    expect(header).toMatch(/^strategy +n +accuracy \[95% CI\] +errors +tokens +vs baseline$/);
    expect(lines.find((line) => line.startsWith('cot '))).toMatch(/ [+-]\d+\.\d pt p[=<][.\d]+\*?$/);
  });

  it('fits templates list, cutting descriptions', async () => {
    const run = await runInPty(['templates', 'list'], { columns: 80 });
    expect(run.code).toBe(0);
    expect(widest(run.output)).toBeLessThanOrEqual(80);
    expect(readScreen(run.output).lines).toContainEqual(expect.stringMatching(/^multiple-choice +shipped +\S.*…$/));
  });
});

describe('one progress view', () => {
  it('a dataset run: `cot 29/40 · ETA`, then one line per record in dataset order, then the summary', async () => {
    const server = await startServer({
      reply: (call, index) => {
        // Record 3 is answered wrong, and late, so it finishes after those behind it.
        const text = arithmeticReply(call, index);
        return /What is 3 plus 4\?/.test(JSON.stringify(call.messages)) ? 'The answer is 8.' : text;
      },
      latencyMs: 20,
    });
    const run = await runInPty(['cot', '-t', 'math', '-d', dataset, '-c', '4', ...endpoint(server)], { columns: 80 });
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/cot \d+\/40 · ETA \d+ s/);
    expect(run.output).not.toContain('done,');
    expect(widest(run.output)).toBeLessThanOrEqual(80);
    const lines = readScreen(run.output).lines.filter((line) => line !== '');
    const recordLines = lines.slice(0, records);
    expect(recordLines.map((line) => line.split(/\s+/)[0])).toEqual(
      Array.from({ length: records }, (_, index) => String(index + 1)),
    );
    expect(recordLines[0]).toMatch(/^1 +What is 0 plus 1\? +1 +✓$/);
    expect(recordLines[3]).toMatch(/^4 +What is 3 plus 4\? +8 +✗ expected 7$/);
    expect(lines.slice(records)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^strategy +cot$/), expect.stringMatching(/^correct +39$/)]),
    );
  });
});

describe('warnings on a terminal', () => {
  it('--verbose shows a record’s warning once: in its view, not again on stderr', async () => {
    const server = await startServer({ reply: arithmeticReply, identicalSamples: true });
    for (const input of [['What is 2 plus 3?'], ['-d', dataset, '-c', '4']]) {
      const run = await runInPty(
        ['self-consistency', '-t', 'math', '--samples', '3', '--verbose', ...input, ...endpoint(server)],
        { columns: 80 },
      );
      expect(run.code).toBe(0);
      const mentions = run.output.match(/are byte-identical/g) ?? [];
      expect(mentions).toHaveLength(input.length === 1 ? 1 : records);
    }
  });
});

describe('batch collect on a terminal', () => {
  it('shows the run view: one line per record with its id and verdict, then the summary', async () => {
    const root = await makeTempDir('promptlab-terminal-batch-');
    const data = join(root, 'data.jsonl');
    const questions = [
      { id: 'a', input: 'What is 1 plus 1?', expected: 2 },
      { id: 'b', input: 'What is 2 times 3?', expected: 6 },
      { id: 'c', input: 'What is 5 minus 1?', expected: 5 },
    ];
    await writeFile(data, jsonl(questions));
    const dir = join(root, 'run');
    const prepared = await runCli([
      'batch',
      'prepare',
      'zero-shot',
      '-d',
      data,
      '-m',
      'test-model',
      '--answer',
      'number',
      '-o',
      dir,
    ]);
    expect(prepared.code).toBe(0);
    // What `vllm run-batch` writes for the request file: each request answered by the scripted model.
    const requests = (await readFile(join(dir, 'requests-001.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as { custom_id: string; body: { messages: Array<{ role: string; content: string }> } },
      );
    const answers = requests.map((request, index) => ({
      id: `vllm-${index}`,
      custom_id: request.custom_id,
      response: {
        status_code: 200,
        body: {
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: String(solve(request.body.messages.at(-1)!.content)) },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
        },
      },
      error: null,
    }));
    const from = join(root, 'out.jsonl');
    await writeFile(from, jsonl(answers));
    const run = await runInPty(['batch', 'collect', dir, '--from', from], { columns: 80 });
    expect(run.code).toBe(0);
    const lines = readScreen(run.output).lines.filter((line) => line !== '');
    expect(lines.filter((line) => /^[abc] /.test(line))).toEqual([
      expect.stringMatching(/^a +What is 1 plus 1\? +2 +✓$/),
      expect.stringMatching(/^b +What is 2 times 3\? +6 +✓$/),
      expect.stringMatching(/^c +What is 5 minus 1\? +4 +✗ expected 5$/),
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^accuracy +66\.7% \[20\.8–93\.9\]/));
  });
});

describe('compare on a terminal', () => {
  it('-o FILE still shows the comparison, and a resumed compare shows the whole of it', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const output = join(directory, 'terminal-compare.jsonl');
    const compare = ['compare', '-t', 'math', '-d', dataset, '--strategies', 'zero-shot,cot', ...endpoint(server)];
    const first = await runInPty([...compare, '-o', output], { columns: 80 });
    expect(first.code).toBe(0);
    const table = (output: string) =>
      readScreen(output).lines.filter((line) => /^(strategy +n |zero-shot +\d|cot +\d)/.test(line));
    expect(table(first.output)).toEqual([
      expect.stringMatching(/^strategy +n +accuracy \[95% CI\] +errors +tokens +samples\/rec +vs baseline$/),
      expect.stringMatching(/^zero-shot +40 +100\.0% \[91\.2–100\.0\] +0 .* baseline$/),
      expect.stringMatching(/^cot +40 +100\.0% \[91\.2–100\.0\] +0 .* \+0\.0 pt p=1$/),
    ]);
    const requestsBefore = server.counts.chat;
    const resumed = await runInPty([...compare, '--resume', output], { columns: 80 });
    expect(resumed.code).toBe(0);
    expect(server.counts.chat).toBe(requestsBefore);
    expect(table(resumed.output)).toEqual(table(first.output));
  });
});
