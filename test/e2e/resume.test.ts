/**
 * Interrupts and resume, end to end: results reach the file as each record finishes, a `kill -9` loses
 * nothing that `--resume` cannot finish, and Ctrl-C / SIGTERM stop cleanly with exit 130 and a hint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/openai-test-server.js';
import { cleanEnv, cliPath, repoRoot, runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();

// Each test has its own server and its own CLI, so the tests (which mostly wait: latency, grace periods)
// run side by side; all are stopped once the file is done.
const serve = useTestServers({ reply: arithmeticReply }, 'all');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function writeDataset(count: number): Promise<{ dataset: string; directory: string }> {
  const directory = await makeTempDir('promptlab-resume-');
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `r${index}`, input: `What is ${index} plus 2?`, expected: String(index + 2) }),
  );
  const dataset = join(directory, 'data.jsonl');
  await writeFile(dataset, `${lines.join('\n')}\n`);
  return { dataset, directory };
}

const allIds = (count: number) => Array.from({ length: count }, (_, index) => `r${index}`).sort();
const endpoint = (target: TestServer) => ['--base-url', target.url, '-m', 'test-model', '--answer', 'number'];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  process: ChildProcess;
  exited: Promise<Exit>;
}

/** The CLI as a child we can signal; `runCli` only waits for the end. */
function startCli(args: readonly string[]): Running {
  const started = spawn(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(started);
  let stdout = '';
  let stderr = '';
  started.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  started.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) =>
    started.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { process: started, exited };
}

/** Complete lines in the file (a kill may leave half of one at the end). */
async function completeLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const end = text.lastIndexOf('\n');
  return end === -1 ? [] : text.slice(0, end).split('\n');
}

/** Polls until the file holds at least `count` complete lines: proof they are written as records finish. */
async function waitForLines(path: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await completeLines(path)).length < count) {
    if (Date.now() > deadline) throw new Error(`${path}: fewer than ${count} lines after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The server's chat count once requests the killed CLI left in flight have come through the server's latency. */
async function settledCount(target: TestServer): Promise<number> {
  let previous: number;
  do {
    previous = target.counts.chat;
    await new Promise((resolve) => setTimeout(resolve, 300));
  } while (target.counts.chat !== previous);
  return previous;
}

const parsed = (lines: string[]) =>
  lines.map(
    (line) => JSON.parse(line) as { schema: string; id: string; strategy: string; error: string | null; n?: number },
  );

describe.concurrent('kill -9, then --resume', () => {
  it('completes the dataset with every record exactly once, none lost', async () => {
    const target = await serve({ latencyMs: 50 });
    const { dataset, directory } = await writeDataset(300);
    const output = join(directory, 'out.jsonl');
    const first = startCli(['zero-shot', '-d', dataset, '-o', output, '--jsonl', '-c', '4', ...endpoint(target)]);
    await waitForLines(output, 40);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const survivors = parsed(await completeLines(output));
    expect(survivors.length).toBeGreaterThanOrEqual(40);
    expect(survivors.length).toBeLessThan(300);
    // What a later kill could leave behind, made certain: an errored result (to be run again) and half a line.
    const missing = allIds(300).filter((id) => !survivors.some((line) => line.id === id));
    const erroredId = missing[0]!;
    await appendFile(
      output,
      `${JSON.stringify({ ...JSON.parse((await completeLines(output))[0]!), id: erroredId, answer: null, correct: null, error: 'http://x/v1: retries exhausted after 3 attempts (500)' })}\n`,
    );
    await appendFile(output, '{"schema":"promptlab.result/v1","id":"r29');
    const callsBefore = await settledCount(target);

    const resumed = await runCli(['zero-shot', '-d', dataset, '--resume', output, '-c', '4', ...endpoint(target)]);
    // No terminal and the results in a file: the one summary line is all stderr says.
    expect(resumed.stderr.split('\n')).toEqual([
      expect.stringMatching(/^zero-shot: 300\/300 correct, 100\.0% \[[\d.–]+\], 0 errors, [\d,]+ requests, /),
      '',
    ]);
    expect(resumed.stderr).toContain(` → ${output}\n`);
    expect(resumed.code).toBe(0);
    const text = await readFile(output, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const final = parsed(text.trimEnd().split('\n'));
    expect(final.map((line) => line.id).sort()).toEqual(allIds(300));
    expect(final.every((line) => line.error === null && line.strategy === 'zero-shot')).toBe(true);
    // The resumed run asked only for what was missing; the errored record was among them.
    expect(target.counts.chat - callsBefore).toBe(300 - survivors.length);
    const survivorIds = new Set(survivors.map((line) => line.id));
    const added = final.filter((line) => !survivorIds.has(line.id)) as unknown as Array<{ requests: number }>;
    expect(added.reduce((sum, line) => sum + line.requests, 0)).toBe(300 - survivors.length);
    expect(final.find((line) => line.id === erroredId)!.error).toBeNull();
    await writeFile(join(directory, 'probe'), '');
    expect((await stat(output)).mode & 0o777).toBe((await stat(join(directory, 'probe'))).mode & 0o777);
  }, 120_000);

  it('compare resumes per record and strategy, and its summary lines cover the whole file', async () => {
    const target = await serve();
    const { dataset, directory } = await writeDataset(20);
    const firstHalf = join(directory, 'first-half.jsonl');
    await writeFile(firstHalf, `${(await readFile(dataset, 'utf8')).trimEnd().split('\n').slice(0, 10).join('\n')}\n`);
    const output = join(directory, 'compare.jsonl');
    const strategies = ['--strategies', 'zero-shot,cot'];
    const first = await runCli(
      ['compare', '-d', firstHalf, ...strategies, '-o', output, '--format', 'jsonl', ...endpoint(target)],
      { timeoutMs: 60_000 },
    );
    expect(first.code).toBe(0);
    const callsBefore = target.counts.chat;

    const resumed = await runCli(['compare', '-d', dataset, ...strategies, '--resume', output, ...endpoint(target)], {
      timeoutMs: 60_000,
    });
    expect(resumed.code).toBe(0);
    expect(target.counts.chat - callsBefore).toBe(20); // 10 new records × 2 strategies, one call each
    const lines = parsed((await readFile(output, 'utf8')).trimEnd().split('\n'));
    const results = lines.filter((line) => line.schema === 'promptlab.result/v1');
    const keys = results.map((line) => `${line.strategy}/${line.id}`);
    expect(new Set(keys).size).toBe(40);
    expect(keys.length).toBe(40);
    const summaries = lines.filter((line) => line.schema === 'promptlab.summary/v1');
    expect(summaries.map((line) => [line.strategy, line.n])).toEqual([
      ['zero-shot', 20],
      ['cot', 20],
    ]);
    expect(lines.slice(-2)).toEqual(summaries);
  }, 90_000);

  it('refuses to resume from a file that is not promptlab results, and leaves it alone', async () => {
    const { dataset, directory } = await writeDataset(3);
    const before = await readFile(dataset, 'utf8');
    // A copy: --resume naming the dataset itself is refused before it is read (output-files.test.ts).
    const copy = join(directory, 'copy.jsonl');
    await writeFile(copy, before);
    const result = await runCli([
      'zero-shot',
      '-d',
      dataset,
      '--resume',
      copy,
      '--base-url',
      'http://127.0.0.1:9/v1',
      '-m',
      'm',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `promptlab: --resume ${copy}:1: not a promptlab.result/v1 line (schema: Invalid input: expected "promptlab.result/v1"); resume takes the JSONL written by -o FILE --jsonl\n`,
    );
    expect(await readFile(copy, 'utf8')).toBe(before);
    expect(await readdir(directory)).toEqual(['copy.jsonl', 'data.jsonl']);
  });
});

describe.concurrent('Ctrl-C and SIGTERM', () => {
  it('SIGINT: stops sending, lets requests in flight finish, flushes them, says how to resume, exits 130', async () => {
    const target = await serve({ latencyMs: 200 });
    const { dataset, directory } = await writeDataset(100);
    const output = join(directory, 'out.jsonl');
    const run = startCli(['zero-shot', '-d', dataset, '-o', output, '--jsonl', '-c', '2', ...endpoint(target)]);
    await waitForLines(output, 5);
    const interruptedAt = Date.now();
    run.process.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(20_000);
    expect(stderr).toMatch(/SIGINT: stopping; no new records, requests in flight get 5 s to finish/);
    const hint = new RegExp(
      `^promptlab: interrupted after (\\d+) new result\\(s\\), written to ${output.replace(/[.]/g, '\\.')}; rerun with --resume ${output.replace(/[.]/g, '\\.')} to finish$`,
      'm',
    );
    expect(stderr).toMatch(hint);
    const lines = parsed(await completeLines(output));
    expect((await readFile(output, 'utf8')).endsWith('\n')).toBe(true);
    expect(Number(hint.exec(stderr)![1])).toBe(lines.length);
    // Everything the server answered reached the file: in-flight requests were let finish, not dropped.
    expect(lines).toHaveLength(target.counts.chat);
    expect(lines.length).toBeLessThan(100);

    const resumed = await runCli(['zero-shot', '-d', dataset, '--resume', output, '-c', '8', ...endpoint(target)], {
      timeoutMs: 60_000,
    });
    expect(resumed.code).toBe(0);
    expect(
      parsed(await completeLines(output))
        .map((line) => line.id)
        .sort(),
    ).toEqual(allIds(100));
  }, 90_000);

  it('SIGINT on a --json run: the document says it is interrupted and how many records the dataset has', async () => {
    const target = await serve({ latencyMs: 200 });
    const { dataset } = await writeDataset(40);
    for (const command of [['zero-shot'], ['compare', '--strategies', 'zero-shot,cot']]) {
      const before = target.counts.chat;
      const run = startCli([...command, '-d', dataset, '--json', '-c', '2', ...endpoint(target)]);
      const deadline = Date.now() + 20_000;
      while (target.counts.chat - before < 6 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 25));
      run.process.kill('SIGINT');
      const { code, stdout } = await run.exited;
      expect(code).toBe(130);
      const document = JSON.parse(stdout);
      const summaries = command[0] === 'compare' ? document.strategies : [document.summary];
      for (const summary of summaries) {
        expect(summary).toMatchObject({ interrupted: true, total: 40 });
        expect(summary.n).toBeLessThan(40);
      }
      expect(document.results.length).toBe(
        summaries.reduce((sum: number, summary: { n: number }) => sum + summary.n, 0),
      );
    }
    // A run that was not interrupted says nothing of the kind.
    const whole = await runCli(['zero-shot', '-d', dataset, '--json', '-c', '8', ...endpoint(target)]);
    expect(JSON.parse(whole.stdout).summary.interrupted).toBeUndefined();
  }, 90_000);

  it('SIGTERM with requests hanging: aborts them after the grace period, no crash, nothing half-written, exit 130', async () => {
    const target = await serve({ latencyMs: 60_000 });
    const { dataset, directory } = await writeDataset(10);
    const output = join(directory, 'out.jsonl');
    const run = startCli(['zero-shot', '-d', dataset, '-o', output, '--jsonl', '-c', '4', ...endpoint(target)]);
    // Wait until requests are in flight at the server.
    const deadline = Date.now() + 20_000;
    while (target.counts.total < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(target.counts.total).toBe(4);
    const interruptedAt = Date.now();
    run.process.kill('SIGTERM');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(Date.now() - interruptedAt).toBeLessThan(20_000);
    // Two lines: what the signal does, and where the results are; the aborted requests are no error of their own.
    expect(stderr.trimEnd().split('\n')).toEqual([
      'warning: SIGTERM: stopping; no new records, requests in flight get 5 s to finish (SIGTERM again aborts them)',
      `promptlab: interrupted after 0 new result(s), written to ${output}; rerun with --resume ${output} to finish`,
    ]);
    expect(await readFile(output, 'utf8')).toBe('');
  }, 60_000);

  it('Ctrl-C before the first answer leaves an existing -o file as it was', async () => {
    const target = await serve({ latencyMs: 60_000 });
    const { dataset, directory } = await writeDataset(10);
    const output = join(directory, 'keep.jsonl');
    const earlier = '{"schema":"promptlab.result/v1","id":"from an earlier run"}\n';
    await writeFile(output, earlier);
    const run = startCli(['zero-shot', '-d', dataset, '-o', output, '--jsonl', '-c', '2', ...endpoint(target)]);
    const deadline = Date.now() + 20_000;
    while (target.counts.total < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    run.process.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    run.process.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('promptlab: interrupted before any result; nothing was written');
    expect(await readFile(output, 'utf8')).toBe(earlier);
    expect(await readdir(directory)).toEqual(['data.jsonl', 'keep.jsonl']);
  }, 60_000);

  it('a second Ctrl-C aborts requests in flight at once', async () => {
    const target = await serve({ latencyMs: 60_000 });
    const { dataset, directory } = await writeDataset(10);
    const output = join(directory, 'out.jsonl');
    const run = startCli(['zero-shot', '-d', dataset, '-o', output, '--jsonl', '-c', '2', ...endpoint(target)]);
    const deadline = Date.now() + 20_000;
    while (target.counts.total < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(target.counts.total).toBe(2);
    const interruptedAt = Date.now();
    run.process.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    run.process.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    // Well inside the 5 s grace period the first Ctrl-C alone would have waited.
    expect(Date.now() - interruptedAt).toBeLessThan(4_500);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(
      `promptlab: interrupted after 0 new result(s), written to ${output}; rerun with --resume ${output} to finish`,
    );
    expect(stderr).not.toMatch(/internal error/);
    expect(await readFile(output, 'utf8')).toBe('');
  }, 60_000);
});
