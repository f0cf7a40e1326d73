/**
 * What a run says besides its results, in-process against the loopback server: warnings once per kind,
 * and a summary where someone sees it when the results went to a file (CI: no terminal).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/openai-test-server.js';
import { runCli } from '../support/run-cli.js';
import { arithmeticReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const startServer = useTestServers();

let directory = '';
let dataset = '';
const records = 20;

beforeAll(async () => {
  directory = await makeTempDir('promptlab-run-view-');
  dataset = join(directory, 'data.jsonl');
  const lines = Array.from({ length: records }, (_, index) =>
    JSON.stringify({ input: `What is ${index} plus 1?`, expected: String(index + 1) }),
  );
  await writeFile(dataset, `${lines.join('\n')}\n`);
});

const endpoint = (target: TestServer) => ['--base-url', target.url, '-m', 'test-model'];
const parseLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; warnings: string[]; schema: string });

describe('per-record warnings', () => {
  it('stay in each record; stderr gets one line per kind with the count and the first ids', async () => {
    const server = await startServer({ reply: arithmeticReply, identicalSamples: true });
    const result = await runCli([
      'self-consistency',
      ...['-t', 'math', '-d', dataset, '--samples', '3', '--jsonl', '-c', '4'],
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines).toHaveLength(records);
    for (const line of lines) expect(line.warnings).toEqual([expect.stringContaining('byte-identical')]);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('byte-identical'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^warning: self-consistency: 20 records \(\d+, \d+, \d+ and 17 more\): all 3 samples are byte-identical at temperature 0\.7: /,
      ),
    ]);
  });
});

describe('in CI (no terminal), results written to a file', () => {
  it('a run prints its one-line summary to stderr, and nothing to stdout', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const output = join(directory, 'ci-run.jsonl');
    const result = await runCli(['cot', '-t', 'math', '-d', dataset, '-o', output, '--jsonl', ...endpoint(server)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^cot: 20/20 correct, 100\\.0% \\[83\\.9–100\\.0\\], 0 errors, 20 requests, [\\d,]+ tokens, p50 \\d+ ms → ${output}\\n$`,
      ),
    );
    expect(parseLines(await readFile(output, 'utf8'))).toHaveLength(records);
  });

  it('compare prints one line per strategy; with results on stdout, stderr stays quiet; --quiet silences it', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const output = join(directory, 'ci-compare.jsonl');
    const compare = ['compare', '-t', 'math', '-d', dataset, '--strategies', 'zero-shot,cot', ...endpoint(server)];
    const toFile = await runCli([...compare, '-o', output]);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^zero-shot: 20/20 correct, .* → ${output}$`)),
      expect.stringMatching(new RegExp(`^cot: 20/20 correct, .* → ${output}$`)),
      '',
    ]);
    const toStdout = await runCli([...compare, '--jsonl']);
    expect(toStdout.stderr).toBe('');
    const quiet = await runCli([...compare, '-o', output, '--quiet']);
    expect(quiet.stderr).toBe('');
  });
});

describe('compare --resume', () => {
  it('with --format markdown: results go on in the file, the step summary to stdout in the same run', async () => {
    const server = await startServer({ reply: arithmeticReply });
    const output = join(directory, 'resume-markdown.jsonl');
    const compare = ['compare', '-t', 'math', '-d', dataset, '--strategies', 'zero-shot,cot', ...endpoint(server)];
    const result = await runCli([...compare, '--resume', output, '--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^### promptlab compare \(baseline: zero-shot\)\n/);
    expect(result.stdout).toMatch(/^\| cot \| 20 \| 20 \| 100\.0% /m);
    const lines = parseLines(await readFile(output, 'utf8'));
    expect(lines.filter((line) => line.schema === 'promptlab.result/v1')).toHaveLength(2 * records);
    // Run again: nothing is sent, and the summary covers the whole file.
    const requestsBefore = server.counts.chat;
    const again = await runCli([...compare, '--resume', output, '--format', 'markdown']);
    expect(again.code).toBe(0);
    expect(server.counts.chat).toBe(requestsBefore);
    expect(again.stdout).toBe(result.stdout);
  });

  it('refuses a --format that would hold only this run’s results, saying what to use', async () => {
    const result = await runCli([
      'compare',
      '-d',
      dataset,
      '--resume',
      join(directory, 'x.jsonl'),
      '--format',
      'junit',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^promptlab: --resume appends JSON lines to the file, and --format junit would hold only this run's results; use --format markdown or table/,
    );
  });
});
