/**
 * The HTML report in a real browser: built from the offline demo and from a compare against the loopback
 * server whose dataset and replies carry markup, opened from disk with the network blocked. Screenshots go
 * to test/browser/screenshots/ (git-ignored); the README's picture is the demo's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonl } from '../support/jsonl.js';
import { startTestServer, type TestServer } from '../support/openai-test-server.js';
import { cleanEnv, repoRoot, runCliProcess } from '../support/run-cli.js';
import { arithmeticReply, perModel, slipsOnPlusReply } from '../support/scripted-model.js';
import { useTempDirs } from '../support/temp-dir.js';

const chromiumPath = process.env.PROMPTLAB_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = join(repoRoot, 'test/browser/screenshots');
const hostile = '<script>window.pwned = "script"</script><img src=x onerror="window.pwned = \'img\'">';

const makeTempDir = useTempDirs();
let context: BrowserContext;
let directory = '';
let server: TestServer | null = null;
let matrixServer: TestServer | null = null;

beforeAll(async () => {
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} not found: apt-get install -y chromium (or set PROMPTLAB_CHROMIUM)`);
  directory = await makeTempDir('promptlab-browser-');
  await mkdir(screenshots, { recursive: true });
  // Flags from the machine notes: no sandbox as root, and none of Chromium's own network traffic.
  context = await chromium.launchPersistentContext(await makeTempDir('promptlab-chromium-'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await matrixServer?.close();
});

/** Opens a report from disk with every request that is not to the file itself refused and recorded. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const problems: string[] = [];
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#records-body tr.record');
  return { page, problems };
}

function runDemo(output: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/demo.mjs', '--format', 'html', '-o', output], {
      cwd: repoRoot,
      env: cleanEnv(),
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe('the demo report', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const file = join(directory, 'demo.html');
    expect(await runDemo(file)).toBe(0);
    ({ page, problems } = await open(file));
  });

  it('opens offline with no console error and no request', () => {
    expect(problems).toEqual([]);
  });

  it('renders every chart as SVG with marks', async () => {
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => ({
        id: figure.id,
        marks: figure.querySelectorAll('svg circle, svg path, svg rect, svg line').length,
        width: figure.querySelector('svg')?.getBoundingClientRect().width ?? 0,
      })),
    );
    expect(charts.map((chart) => chart.id)).toEqual(['chart-tradeoff', 'chart-samples', 'chart-agreement']);
    for (const chart of charts) {
      expect(chart.marks).toBeGreaterThan(5);
      expect(chart.width).toBeGreaterThan(300);
    }
    // The README's picture: the headline, the matrix and the first charts, as a reader first sees them.
    await page.setViewportSize({ width: 1280, height: 1040 });
    await page.screenshot({ path: join(screenshots, 'report-demo.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(screenshots, 'report-demo-full.png'), fullPage: true });
  });

  it('filters the record table to disagreements, to failures, and by search', async () => {
    const rows = () => page.$$eval('#records-body tr.record', (trs) => trs.length);
    expect(await rows()).toBe(30);
    await page.selectOption('#records-filter', 'disagree');
    const disagreeing = await page.$$eval('#records-body tr.record', (trs) =>
      trs.map((tr) => new Set([...tr.querySelectorAll('td.answer .answer-text')].map((cell) => cell.textContent)).size),
    );
    const label = await page.$eval('#records-filter option[value=disagree]', (option) => option.textContent);
    expect(label).toBe(`cells disagree (${disagreeing.length})`);
    expect(disagreeing.length).toBeGreaterThan(0);
    expect(disagreeing.length).toBeLessThan(30);
    expect(disagreeing.every((distinct) => distinct > 1)).toBe(true);
    await page.selectOption('#records-filter', 'wrong');
    const wrongRows = await page.$$eval('#records-body tr.record', (trs) =>
      trs.map((tr) => tr.querySelectorAll('td.answer.wrong, td.answer.error, td.answer.none').length),
    );
    expect(wrongRows.every((count) => count > 0)).toBe(true);
    await page.selectOption('#records-filter', 'all');
    await page.fill('#records-search', 'q07');
    expect(await rows()).toBe(1);
    expect(await page.textContent('#records-count')).toBe('1 of 1 matching records shown (30 in all)');
    await page.fill('#records-search', '');
    expect(await rows()).toBe(30);
  });

  it("shows a record's completions, votes and agreement on demand", async () => {
    await page.click('#records-body tr.record');
    const details = page.locator('tr.record-details');
    await expect.poll(() => details.count()).toBe(1);
    const selfConsistency = details.locator('section.outcome').last();
    expect(await selfConsistency.locator('h4').textContent()).toMatch(/^self-consistency/);
    expect(await selfConsistency.locator('dt').allTextContents()).toEqual([
      'answer',
      'votes',
      'agreement',
      'samples used',
    ]);
    expect(await selfConsistency.locator('details.completion').count()).toBe(10);
    await selfConsistency.locator('details.completion summary').first().click();
    expect(await selfConsistency.locator('details.completion pre').first().isVisible()).toBe(true);
    await page.screenshot({ path: join(screenshots, 'report-demo-details.png'), fullPage: true });
  });
});

describe('a report whose data carries markup', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    server = await startTestServer({ reply: () => `Here: ${hostile}. The answer is 4.` });
    const dataset = join(directory, 'hostile.jsonl');
    await writeFile(
      dataset,
      `${JSON.stringify({ id: '<b>q1</b>', input: `What is 2 plus 2? ${hostile}`, expected: '4' })}\n`,
    );
    const saved = join(directory, 'hostile-results.jsonl');
    const result = await runCliProcess([
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
      hostile,
      '--format',
      'jsonl',
      '-o',
      saved,
    ]);
    expect(result.code).toBe(0);
    // How each answer was found (`via`, written by newer runs) is shown with its completion.
    const lines = (await readFile(saved, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const line of lines)
      for (const completion of line.completions ?? []) completion.via = completion.via ?? 'phrase';
    await writeFile(saved, jsonl(lines));
    const output = join(directory, 'hostile.html');
    const report = await runCliProcess(['report', saved, '--answer', 'number', '-o', output]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    ({ page, problems } = await open(output));
  });

  it('shows it as text and runs none of it, even with every detail open', async () => {
    await page.click('#records-body tr.record');
    for (const summary of await page.locator('details.completion summary').all()) await summary.click();
    await page.locator('#chart-tradeoff circle').first().hover();
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    expect(await page.locator('img, b').count()).toBe(0);
    expect(await page.textContent('#records-body td.record-id')).toBe('<b>q1</b>');
    expect(await page.textContent('#records-body td.record-input')).toBe(`What is 2 plus 2? ${hostile}`);
    expect(await page.locator('pre.completion-text').first().textContent()).toBe(`Here: ${hostile}. The answer is 4.`);
    expect(await page.textContent('.meta')).toContain(`model ${hostile}`);
    expect(await page.locator('details.completion summary').first().textContent()).toBe('#1 · answer 4 · via phrase');
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'report-markup.png'), fullPage: true });
  });
});

describe('the report of an eval: two models × a strategy and two variants of another', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    matrixServer = await startTestServer({
      reply: perModel({ careful: arithmeticReply, sloppy: slipsOnPlusReply }),
    });
    const project = await makeTempDir('promptlab-browser-eval-');
    const questions = Array.from({ length: 8 }, (_, index) =>
      JSON.stringify({
        id: `q${index}`,
        input: `What is ${index} ${index % 2 === 0 ? 'plus' : 'times'} 3?`,
        expected: String(index % 2 === 0 ? index + 3 : index * 3),
      }),
    );
    await writeFile(join(project, 'math.jsonl'), `${questions.join('\n')}\n`);
    await writeFile(
      join(project, 'promptlab.eval.yaml'),
      [
        'dataset: { file: math.jsonl, answer: number, match: numeric }',
        'models: [careful, sloppy]',
        'strategies:',
        '  - zero-shot',
        '  - { strategy: cot, name: cot-quick, trigger: Answer at once. }',
        '  - { strategy: self-consistency, name: sc-3, samples: 3 }',
        'outputs:',
        '  - path: report.html',
        '',
      ].join('\n'),
    );
    // The scripted models answer every sample alike: the warning says so, and the run goes on.
    const result = await runCliProcess(['eval', '--base-url', matrixServer.url, '--quiet'], { cwd: project });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    ({ page, problems } = await open(join(project, 'report.html')));
  });

  it('shows one matrix row per cell, named by model and variant, paired with the baseline cell', async () => {
    expect(problems).toEqual([]);
    const rows = await page.$$eval('table.matrix tbody tr', (trs) =>
      trs.map((tr) => [
        tr.querySelector('th')?.textContent?.replace(' front', ''),
        tr.querySelector('td.versus')?.textContent,
      ]),
    );
    expect(rows.map(([label]) => label)).toEqual([
      'careful · zero-shot',
      'careful · cot-quick',
      'careful · sc-3',
      'sloppy · zero-shot',
      'sloppy · cot-quick',
      'sloppy · sc-3',
    ]);
    expect(rows[0]![1]).toBe('baseline');
    expect(rows[3]![1]).toBe('−50.0 pts p = 0.13▲0 ▼4');
    const head = await page.$$eval('#records-head th', (ths) => ths.map((th) => th.textContent));
    expect(head.slice(3)).toEqual(rows.map(([label]) => label));
  });

  it('draws every chart, and filters the records where the models disagree', async () => {
    const marks = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => figure.querySelectorAll('svg circle, svg path, svg rect, svg line').length),
    );
    expect(marks).toHaveLength(3);
    for (const count of marks) expect(count).toBeGreaterThan(5);
    await page.selectOption('#records-filter', 'disagree');
    const ids = await page.$$eval('#records-body tr.record td.record-id', (cells) =>
      cells.map((cell) => cell.textContent),
    );
    // sloppy answers the plus questions one too high without reasoning: q0, q2, q4, q6.
    expect(ids).toEqual(['q0', 'q2', 'q4', 'q6']);
    await page.selectOption('#records-filter', 'all');
    await page.screenshot({ path: join(screenshots, 'report-eval-matrix.png'), fullPage: true });
  });
});
