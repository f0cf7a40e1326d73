/** The HTML report end to end: compare --format html, and promptlab report over every saved output. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import type { ReplyFn } from '../support/openai-test-server.js';
import { resultRecord } from '../support/result-record.js';
import { runCli, runCliProcess } from '../support/run-cli.js';
import { lastUser, solve } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const startServer = useTestServers();

/** Zero-shot slips on "plus" questions; chain of thought and its samples are right but for sample 2 of each. */
const reply: ReplyFn = (call, choiceIndex) => {
  const prompt = lastUser(call);
  const answer = solve(prompt) ?? 0;
  if (/step by step/.test(prompt))
    return `Adding up gives ${choiceIndex === 1 ? answer + 1 : answer}. The answer is ${choiceIndex === 1 ? answer + 1 : answer}.`;
  return String(/plus/.test(prompt) ? answer + 1 : answer);
};

const makeTempDir = useTempDirs();
let directory = '';
let dataset = '';

beforeAll(async () => {
  directory = await makeTempDir('promptlab-report-');
  dataset = join(directory, 'data.jsonl');
  const records = Array.from({ length: 6 }, (_, index) => ({
    id: `q${index}`,
    input: `What is ${index} ${index % 2 === 0 ? 'plus' : 'times'} 3?`,
    expected: String(index % 2 === 0 ? index + 3 : index * 3),
  }));
  await writeFile(dataset, jsonl(records));
});

async function compare(extra: string[], cwd?: string, run = runCli) {
  const server = await startServer({ reply });
  const result = await run(
    [
      'compare',
      '-d',
      dataset,
      '--strategies',
      'zero-shot,self-consistency',
      '--samples',
      '3',
      '--answer',
      'number',
      '--base-url',
      server.url,
      '-m',
      'test-model',
      ...extra,
    ],
    cwd === undefined ? {} : { cwd },
  );
  return { result, server };
}

/** The page's matrix rows as text, and its parts, read back with a DOM parser. */
function readPage(html: string) {
  const { document } = parseHTML(html);
  const data = JSON.parse(document.getElementById('report-data')!.textContent ?? '');
  return {
    document,
    data,
    rows: [...document.querySelectorAll('table.matrix tbody tr')].map((row) =>
      [...row.children].map((cell) => cell.textContent!.trim().replace(/\s+/g, ' ')),
    ),
    header: [...document.querySelectorAll('table.matrix thead th')].map((cell) => cell.textContent),
  };
}

describe('compare --format html', () => {
  // Through the built bundle: the report's lazily loaded chunk (the chart library, the DOM it draws in) must work there.
  it('writes one self-contained page: matrix, charts, records, no external resource', async () => {
    const output = join(directory, 'compare.html');
    const { result } = await compare(['--format', 'html', '-o', output], undefined, runCliProcess);
    // No terminal: stderr says how each strategy did, one line each, and where the page went.
    expect(result.stderr.split('\n').map((line) => line.replace(/: .* → /, ': … → '))).toEqual([
      `zero-shot: … → ${output}`,
      `self-consistency: … → ${output}`,
      '',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const html = await readFile(output, 'utf8');
    const page = readPage(html);
    expect(page.rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['zero-shot front', '50.0% 3/6', '19%–81%'],
      ['self-consistency front', '100.0% 6/6', '61%–100%'],
    ]);
    expect(page.rows[0]![3]).toBe('baseline');
    expect(page.rows[1]![3]).toMatch(/^\+50\.0 pts p = 0\.25▲3 ▼0$/);
    expect(page.document.querySelectorAll('figure.chart svg')).toHaveLength(3);
    expect(page.data.records).toHaveLength(6);
    expect(page.data.records[0].outcomes[1].completions).toHaveLength(3);
    // Nothing outside the file: no src or href attribute anywhere, and a policy that allows no loads.
    expect(page.document.querySelectorAll('[src], [href], link')).toHaveLength(0);
    expect(html).toContain("default-src 'none'");
  });

  it('chooses html from an -o name ending in .html, and prints the HTML on stdout when piped', async () => {
    const output = join(directory, 'by-name.html');
    expect((await compare(['-o', output])).result.code).toBe(0);
    expect(await readFile(output, 'utf8')).toMatch(/^<!doctype html>/);
    const { result: piped } = await compare(['--format', 'html']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
  });

  it('shows cost when every model has a price (from --price, over the config file)', async () => {
    const workDir = await makeTempDir('promptlab-report-prices-');
    await writeFile(
      join(workDir, 'promptlab.config.json'),
      JSON.stringify({ prices: { 'test-model': { input: 1000, output: 1000 } } }),
    );
    const { result: fromConfig } = await compare(['--format', 'html', '-o', 'a.html'], workDir);
    expect(fromConfig.code).toBe(0);
    const configPage = readPage(await readFile(join(workDir, 'a.html'), 'utf8'));
    expect(configPage.header).toContain('cost/rec');
    expect(configPage.document.querySelector('#chart-tradeoff h2')!.textContent).toBe(
      'Accuracy against cost per record',
    );
    const { result: flagged } = await compare(
      ['--format', 'html', '-o', 'b.html', '--price', 'test-model=0,0'],
      workDir,
    );
    expect(flagged.code).toBe(0);
    const flagPage = readPage(await readFile(join(workDir, 'b.html'), 'utf8'));
    expect(flagPage.rows[0]).toContain('$0');
  });

  it('says --price does nothing for other formats', async () => {
    const { result } = await compare(['--format', 'json', '--price', 'test-model=1,2']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: --price is used by --format html only\n');
  });

  it('refuses a bad --price before any request, and leaves an existing output as it was', async () => {
    const output = join(directory, 'kept.html');
    await writeFile(output, 'earlier report');
    const { result, server } = await compare(['--format', 'html', '-o', output, '--price', 'test-model=cheap']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'promptlab: --price must be MODEL=IN,OUT (USD per million input and output tokens, e.g. gpt-4o-mini=0.15,0.6), got "test-model=cheap"\n',
    );
    expect(server.calls).toHaveLength(0);
    expect(await readFile(output, 'utf8')).toBe('earlier report');
  });
});

describe('promptlab report', () => {
  it.each([
    ['compare --json', ['--format', 'json'], 'saved.json', 2],
    ['compare --jsonl', ['--format', 'jsonl'], 'saved.jsonl', 2],
  ])('reads %s into the same matrix as the run', async (_name, format, file, cells) => {
    const saved = join(directory, file);
    expect((await compare([...format, '-o', saved])).result.code).toBe(0);
    const output = join(directory, `${file}.html`);
    const result = await runCli(['report', saved, '-o', output, '--answer', 'number']);
    expect(result.code).toBe(0);
    // The "wrote FILE" note is for a person at a terminal; a script's stderr stays clean.
    expect(result.stderr).toBe('');
    const page = readPage(await readFile(output, 'utf8'));
    expect(page.rows).toHaveLength(cells);
    expect(page.rows.map((row) => row[1])).toEqual(['50.0% 3/6', '100.0% 6/6']);
    expect(page.document.querySelector('.meta')!.textContent).toContain(`from ${file}`);
    // The samples curve re-votes 1, 2, 3 samples: sample 2 is always wrong, so k = 2 ties and goes to sample 1.
    expect(page.document.querySelectorAll('#chart-samples svg circle')).toHaveLength(3);
  });

  it("reads a strategy run's --jsonl and --json output", async () => {
    const server = await startServer({ reply });
    const common = ['-d', dataset, '--answer', 'number', '--base-url', server.url, '-m', 'test-model'];
    const jsonl = join(directory, 'cot.jsonl');
    const json = join(directory, 'cot.json');
    expect((await runCli(['cot', ...common, '--jsonl', '-o', jsonl])).code).toBe(0);
    expect((await runCli(['cot', ...common, '--json', '-o', json])).code).toBe(0);
    // promptlab report through the built bundle: the whole page reaches a real pipe before the process exits.
    for (const file of [jsonl, json]) {
      const result = await runCliProcess(['report', file, '-q']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const page = readPage(result.stdout);
      expect(page.rows.map((row) => row[0])).toEqual(['cot front']);
    }
  });

  it('re-votes with the --answer and --match the run used, and says so when the defaults judge its answers differently', async () => {
    // A numeric run: "3" was right against "3.0", which text matching would call wrong.
    const saved = join(directory, 'numeric-votes.jsonl');
    const record = resultRecord({
      strategy: 'self-consistency',
      answer: '3',
      expected: '3.0',
      votes: { '3': 2 },
      agreement: 1,
      samplesUsed: 2,
      completions: [
        { text: 'The answer is 3.', answer: '3', via: 'phrase', finishReason: 'stop' },
        { text: 'The answer is 3.', answer: '3', via: 'phrase', finishReason: 'stop' },
      ],
    });
    await writeFile(saved, `${JSON.stringify(record)}\n`);
    const defaults = await runCli(['report', saved, '-o', join(directory, 'numeric-defaults.html')]);
    expect(defaults.code).toBe(0);
    expect(defaults.stderr).toMatch(
      /^warning: self-consistency: --answer\/--match score 1 of 1 recorded answers differently from the run;/,
    );
    const given = await runCli([
      'report',
      saved,
      '-o',
      join(directory, 'numeric-given.html'),
      '--answer',
      'number',
      '--match',
      'numeric',
    ]);
    expect(given.code).toBe(0);
    expect(given.stderr).toBe('');
  });

  it.each([
    ['a missing file', ['report', 'nowhere.jsonl'], 'promptlab: report nowhere.jsonl: no such file\n'],
    [
      'a file that is not promptlab output',
      ['report', 'package.json'],
      /^promptlab: package\.json: not a promptlab output/,
    ],
    ['a bad --price', ['report', 'package.json', '--price', 'x'], /^promptlab: --price must be MODEL=IN,OUT/],
    ['no file', ['report'], "promptlab: missing required argument 'file'\n"],
  ])('exits 2 on %s, in one line', async (_name, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
