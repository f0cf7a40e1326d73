/**
 * `promptlab tune` end to end, in-process, against a loopback server whose accuracy depends on the
 * wording of the prompt (test/support/wording-model.ts): the right winner is known, so tune must pick
 * it, spend no more than its budget (the server counts requests), and report test accuracy within the
 * interval the table implies.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitDevTest } from '../../src/tune/split-dataset.js';
import { jsonl } from '../support/jsonl.js';
import type { TestServer } from '../support/openai-test-server.js';
import { cleanEnv, cliPath, repoRoot, runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';
import { additionQuestions, errorRateOf, type WordingTable, wordingReply } from '../support/wording-model.js';

const best = "Let's work this out in a step by step way to be sure we have the right answer.";
const second = 'Take a deep breath and work on this problem step-by-step.';
const defaultTrigger = "Let's think step by step.";
const poor = 'Answer at once, without working.';
const worst = 'Say the first number that comes to mind.';
const refined = 'Check each step twice before you give the answer.';

const table: WordingTable = {
  errorRates: [
    [best, 0.03],
    [second, 0.2],
    [defaultTrigger, 0.35],
    [poor, 0.6],
    [worst, 0.85],
    [refined, 0],
  ],
  otherwise: 0.5,
  proposals: [poor, second, worst],
  paraphrases: { [second]: [refined, poor] },
};

// Each case has servers of its own, so the cases (which mostly wait on the loopback) run side by side.
const serve = useTestServers({ reply: wordingReply(table) }, 'all');

const makeTempDir = useTempDirs();
let directory = '';
const questions = additionQuestions(120);
const files = { dataset: '', medium: '', small: '', triggers: '', examples: '' };

beforeAll(async () => {
  directory = await makeTempDir('promptlab-tune-');
  files.dataset = join(directory, 'data.jsonl');
  await writeFile(files.dataset, jsonl(questions));
  files.medium = join(directory, 'medium.jsonl');
  await writeFile(files.medium, jsonl(questions.slice(0, 60)));
  files.small = join(directory, 'small.jsonl');
  await writeFile(files.small, jsonl(questions.slice(0, 40)));
  files.triggers = join(directory, 'triggers.txt');
  await writeFile(files.triggers, `${[second, poor, best, worst].join('\n')}\n`);
  // One demonstration carries the best wording: the sets that hold it do best.
  files.examples = join(directory, 'examples.jsonl');
  await writeFile(
    files.examples,
    jsonl([
      { id: 'e1', input: 'What is 1 plus 1?', output: '2' },
      { id: 'e2', input: 'What is 2 plus 5?', output: '7' },
      { id: 'e3', input: 'What is 3 plus 3?', output: '6' },
      { id: 'e4', input: 'What is 4 plus 1?', output: '5' },
      { id: 'e5', input: `What is 6 plus 2? ${best}`, output: '8' },
      { id: 'e6', input: 'What is 9 plus 9?', output: '18' },
    ]),
  );
});

const endpoint = (server: TestServer) => ['--base-url', server.url, '-m', 'wording-model', '--answer', 'number'];

async function tune(server: TestServer, args: readonly string[], env: Record<string, string> = {}) {
  const home = env.PROMPTLAB_HOME ?? (await makeTempDir('promptlab-tune-home-'));
  const result = await runCli(['tune', ...args, ...endpoint(server)], { env: { PROMPTLAB_HOME: home, ...env } });
  const printed = (result.code === 0 || result.code === 4) && result.stdout !== '';
  return { result, home, report: printed ? JSON.parse(result.stdout) : null };
}

/** The records tune holds out for the test (seed 0), as a dataset file. */
const testPart = (rows: typeof questions, fraction: number) =>
  `${splitDevTest(
    rows.map((row, index) => ({ ...row, index })),
    fraction,
    0,
  )
    .test.map(({ index: _, ...row }) => JSON.stringify(row))
    .join('\n')}\n`;

/** A saved template run by its strategy on the test part tune held out: the run's summary. */
async function savedOnTestPart(strategy: string, saved: string, rows: typeof questions, server: TestServer) {
  const testFile = `${saved}.test-part.jsonl`;
  await writeFile(testFile, testPart(rows, 0.5));
  const run = await runCli([
    strategy,
    '-t',
    saved,
    '-d',
    testFile,
    '--json',
    '--base-url',
    server.url,
    '-m',
    'wording-model',
  ]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).summary;
}

/** The accuracy a phrase gets in the table, and whether it lies in an interval. */
const inside = (phrase: string, ci95: [number, number]) => {
  const accuracy = 1 - errorRateOf(phrase, table);
  // Wilson's bound at 60/60 is 1 to within rounding.
  return ci95[0] <= accuracy + 1e-9 && accuracy <= ci95[1] + 1e-9;
};

describe.concurrent('tune', () => {
  it('picks the wording that works best, within its budget, and reports the test part with intervals', async () => {
    const server = await serve();
    const saved = join(directory, 'tuned-cot.prompt');
    const { result, report } = await tune(server, [
      'cot',
      '-d',
      files.dataset,
      '--triggers',
      files.triggers,
      '--save',
      saved,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(report).toMatchObject({
      schema: 'promptlab.tune/v1',
      strategy: 'cot',
      model: 'wording-model',
      split: { dev: 60, test: 60 },
      seed: 0,
      search: 'halving',
      best: { id: 'c3', trigger: best, source: 'given' },
      baseline: { id: 'c0', trigger: defaultTrigger, source: 'baseline' },
    });
    expect(report.candidates.map((entry: { id: string; trigger: string }) => [entry.id, entry.trigger])).toEqual([
      ['c0', defaultTrigger],
      ['c1', second],
      ['c2', poor],
      ['c3', best],
      ['c4', worst],
    ]);
    // Default budget: half of 5 candidates on all 60 dev records at one request each. The largest first
    // slice that fits is 12 records: 5×12 + 3×12 + 2×24 = 144.
    expect(report.budget).toEqual({ limit: 150, spent: 144 });
    expect(report.rounds.map((round: { records: number; kept: string[] }) => [round.records, round.kept])).toEqual([
      // c0 and c1 tie on the first 12: the earlier goes on.
      [12, ['c3', 'c0', 'c1']],
      [24, ['c3', 'c1']],
      [48, ['c3']],
    ]);
    expect(report.candidates.map((entry: { stoppedAtRound: number }) => entry.stoppedAtRound)).toEqual([2, 3, 1, 3, 1]);
    // What the server saw: the search's requests, then the best and the baseline on the 60 test records.
    expect(server.counts.chat).toBe(144 + 2 * 60);
    expect(report.requests).toBe(server.counts.chat);
    // Only the test numbers are the result; the table's accuracies lie in their intervals.
    const { test } = report;
    expect(test.best.n).toBe(60);
    expect(test.baseline.n).toBe(60);
    expect(inside(best, test.best.ci95)).toBe(true);
    expect(inside(defaultTrigger, test.baseline.ci95)).toBe(true);
    expect(test.delta).toBeCloseTo(test.best.accuracy - test.baseline.accuracy, 10);
    expect(test.pValue).toBeLessThan(0.001);
    expect(report.best.dev.n).toBe(48);

    // --save: a template `promptlab cot -t FILE` runs as is, with where it came from in its front matter.
    const text = await readFile(saved, 'utf8');
    const frontMatter = parse(text.split('---\n')[1]!);
    expect(frontMatter.promptlab).toEqual({ answer: 'number', trigger: best });
    expect(frontMatter['promptlab.tune']).toMatchObject({
      strategy: 'cot',
      model: 'wording-model',
      candidate: 'c3',
      dataset: { path: files.dataset, fingerprint: report.dataset.fingerprint, records: 120 },
      split: { dev: 60, test: 60, seed: 0, fraction: 0.5 },
      dev: { accuracy: report.best.dev.accuracy },
      test: { accuracy: report.test.best.accuracy, baseline: report.test.baseline.accuracy },
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // The saved template on the test part scores exactly what tune reported for the winner.
    expect(await savedOnTestPart('cot', saved, questions, server)).toMatchObject({
      n: 60,
      correct: report.test.best.correct,
    });
  });

  it('never spends more than --budget, and a rerun from the cache spends nothing and finds the same', async () => {
    const first = await serve();
    const run = await tune(first, [
      'cot',
      '-d',
      files.medium,
      '--triggers',
      files.triggers,
      '--budget',
      '70',
      '--json',
    ]);
    expect(run.result.code).toBe(0);
    expect(run.report.budget.limit).toBe(70);
    expect(run.report.budget.spent).toBeLessThanOrEqual(70);
    expect(first.counts.chat - 2 * 30).toBe(run.report.budget.spent);
    expect(run.report.best.id).toBe('c3');

    const second = await serve();
    const rerun = await tune(
      second,
      ['cot', '-d', files.medium, '--triggers', files.triggers, '--budget', '70', '--json'],
      { PROMPTLAB_HOME: run.home },
    );
    expect(rerun.result.code).toBe(0);
    expect(second.counts.chat).toBe(0);
    expect({ ...rerun.report, requests: null, usage: null }).toEqual({ ...run.report, requests: null, usage: null });
    expect(rerun.report.requests).toBe(0);
  });

  it('evaluates every candidate on all of dev with --search exhaustive', async () => {
    const server = await serve();
    const { result, report } = await tune(server, [
      'cot',
      '-d',
      files.small,
      '--triggers',
      files.triggers,
      '--search',
      'exhaustive',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(report.rounds).toHaveLength(1);
    expect(report.rounds[0]).toMatchObject({ records: 20, kept: [report.best.id] });
    expect(report.candidates.every((entry: { dev: { n: number } }) => entry.dev.n === 20)).toBe(true);
    expect(server.counts.chat).toBe(5 * 20 + 2 * 20);
  });

  it('--generate: the model proposes triggers from dev examples; --rounds asks for paraphrases of the best', async () => {
    const server = await serve();
    const { result, report } = await tune(server, [
      'cot',
      '-d',
      files.medium,
      '--generate',
      '3',
      '--rounds',
      '1',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const proposals = server.calls.filter((call) =>
      call.messages.some((message) => /Write one sentence/.test(message.content)),
    );
    expect(proposals).toHaveLength(1);
    expect(proposals[0]!.n).toBe(3);
    // Five dev questions and their answers, never a test record.
    const shown = [...proposals[0]!.messages[0]!.content.matchAll(/Q: (What is .*\?)/g)].map((match) => match[1]);
    expect(shown).toHaveLength(5);
    const testInputs = new Set(
      splitDevTest(
        questions.slice(0, 60).map((question, index) => ({ ...question, index })),
        0.5,
        0,
      ).test.map((record) => record.input),
    );
    expect(shown.filter((input) => testInputs.has(input!))).toEqual([]);
    // The second of them wins the first search; its paraphrases are searched against it (poor, proposed
    // again, is no new candidate).
    expect(
      report.candidates.map((entry: { id: string; source: string; trigger: string }) => [
        entry.id,
        entry.source,
        entry.trigger,
      ]),
    ).toEqual([
      ['c0', 'baseline', defaultTrigger],
      ['c1', 'generated', poor],
      ['c2', 'generated', second],
      ['c3', 'generated', worst],
      ['c4', 'generated', refined],
    ]);
    const paraphrase = server.calls.find((call) =>
      call.messages.some((message) => /Generate a variation/.test(message.content)),
    );
    expect(paraphrase!.messages[0]!.content).toContain(`Input: ${second}`);
    expect(report.best).toMatchObject({ id: 'c4', source: 'generated', trigger: refined });
    expect(new Set(report.rounds.map((round: { stage: number }) => round.stage))).toEqual(new Set([0, 1]));
    expect(report.budget.spent).toBeLessThanOrEqual(report.budget.limit);
    expect(inside(refined, report.test.best.ci95)).toBe(true);
  });

  it('crosses --templates with --systems, and saves the winning system instruction in the template body', async () => {
    const server = await serve();
    const systems = join(directory, 'systems.txt');
    await writeFile(systems, `${second}\nBe thorough.\n\n${best}\n`);
    const template = join(directory, 'hasty.prompt');
    await writeFile(template, `---\ndescription: a hasty prompt\n---\n${poor}\n\n{{input}}\n`);
    const saved = join(directory, 'tuned-zero-shot.prompt');
    const { result, report } = await tune(server, [
      'zero-shot',
      '-d',
      files.medium,
      '--templates',
      template,
      '--systems',
      systems,
      '--save',
      saved,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(
      report.candidates.map((entry: { id: string; template: string; system?: string }) => [
        entry.id,
        entry.template,
        entry.system ?? null,
      ]),
    ).toEqual([
      ['c0', 'question', null],
      ['c1', 'question', `${second}\nBe thorough.`],
      ['c2', 'question', best],
      ['c3', 'hasty', null],
      ['c4', 'hasty', `${second}\nBe thorough.`],
      ['c5', 'hasty', best],
    ]);
    // c2 and c5 send the best wording alike: the earlier wins the ties.
    expect(report.best.id).toBe('c2');
    const body = (await readFile(saved, 'utf8')).split('---\n')[2];
    expect(body).toBe(`{{role "system"}}\n${best}\n{{role "user"}}\n{{input}}\n`);
    expect(await savedOnTestPart('zero-shot', saved, questions.slice(0, 60), server)).toMatchObject({
      n: 30,
      correct: report.test.best.correct,
    });
  });

  it('searches demonstration sets, and saves the winning set in the template few-shot runs without --examples', async () => {
    const server = await serve();
    const saved = join(directory, 'tuned-few-shot.prompt');
    const { result, report } = await tune(server, [
      'few-shot',
      '-d',
      files.medium,
      '--examples',
      files.examples,
      '--shots',
      '0,2,3',
      '--demo-sets',
      '3',
      '--save',
      saved,
      '--json',
    ]);
    expect(result.code).toBe(0);
    // The baseline (4 shots, the first four, without e5) and 0 shots, then three sets each of 2 and 3.
    expect(report.candidates).toHaveLength(8);
    expect(report.candidates[1]).toMatchObject({ id: 'c1', label: '0 shots', shots: 0 });
    expect(report.best.demonstrations).toContain('e5');
    expect(
      report.candidates.filter((entry: { demonstrations?: string[] }) => entry.demonstrations?.length === 3),
    ).toHaveLength(3);
    const frontMatter = parse((await readFile(saved, 'utf8')).split('---\n')[1]!);
    expect(frontMatter.promptlab.demonstrations.map((demo: { id: string }) => demo.id)).toEqual(
      report.best.demonstrations,
    );
    expect(await savedOnTestPart('few-shot', saved, questions.slice(0, 60), server)).toMatchObject({
      n: 30,
      correct: report.test.best.correct,
    });
  });

  it('--save names on stderr the flags the template cannot carry: an in-context --pool', async () => {
    const server = await serve();
    const saved = join(directory, 'tuned-in-context.prompt');
    const { result } = await tune(server, [
      'in-context',
      '-d',
      files.small,
      '--pool',
      files.examples,
      '--shots',
      '0,2',
      '--search',
      'exhaustive',
      '--save',
      saved,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: --save ${saved}: a template cannot carry --pool; run it with: promptlab in-context -t ${saved} --pool ${files.examples}\n`,
    );
    expect((await readFile(saved, 'utf8')).startsWith('---\n')).toBe(true);
  });

  it('--resume continues a search cut short, spending only what was left, and ends where one run ends', async () => {
    const args = ['cot', '-d', files.medium, '--triggers', files.triggers, '--no-cache'];
    const whole = await tune(await serve(), [...args, '--json']);
    expect(whole.result.code).toBe(0);

    // The endpoint refuses the key after 70 requests: the run ends (exit 3) with what it finished on file.
    const log = join(directory, 'tune.jsonl');
    const failing = await serve({
      respond: (_call, number) =>
        number > 70 ? { status: 401, body: JSON.stringify({ error: { message: 'key revoked' } }) } : null,
    });
    const cut = await tune(failing, [...args, '--jsonl', '-o', log]);
    expect(cut.result.code).toBe(3);
    expect(cut.result.stderr).toMatch(/rerun with --resume/);
    const kept = (await readFile(log, 'utf8')).trim().split('\n').length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(70);

    const healthy = await serve();
    const resumed = await tune(healthy, [...args, '--resume', log]);
    expect(resumed.result.code).toBe(0);
    expect(healthy.counts.chat).toBe(whole.report.requests - kept);
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const document = lines.at(-1);
    expect(document.schema).toBe('promptlab.tune/v1');
    expect(
      lines
        .slice(0, -1)
        .every(
          (line: { schema: string; variant: string; tune: { part: string } }) =>
            line.schema === 'promptlab.result/v1' &&
            /^c\d$/.test(line.variant) &&
            ['dev', 'test'].includes(line.tune.part),
        ),
    ).toBe(true);
    expect(lines).toHaveLength(whole.report.requests + 1);
    for (const field of ['candidates', 'best', 'baseline', 'test', 'rounds', 'budget', 'requests'])
      expect(document[field]).toEqual(whole.report[field]);
  });

  it('Ctrl-C stops the search (exit 130, saying how to resume), and --resume finishes it (the built CLI, a real signal)', async () => {
    const args = ['cot', '-d', files.medium, '--triggers', files.triggers, '--no-cache'];
    const whole = await tune(await serve(), [...args, '--json']);
    const slow = await serve({ latencyMs: 40 });
    const log = join(directory, 'interrupted.jsonl');
    const child = spawn(
      process.execPath,
      [cliPath, 'tune', ...args, '--jsonl', '-o', log, '-c', '2', ...endpoint(slow)],
      {
        cwd: repoRoot,
        env: cleanEnv({ PROMPTLAB_HOME: await makeTempDir('promptlab-tune-home-') }),
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
    while ((await lines()) < 12) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping/);
    expect(stderr).toMatch(new RegExp(`written to ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; rerun with --resume`));
    const kept = await lines();
    expect(kept).toBeLessThan(whole.report.requests);

    const healthy = await serve();
    const resumed = await tune(healthy, [...args, '--resume', log]);
    expect(resumed.result.code).toBe(0);
    expect(healthy.counts.chat).toBe(whole.report.requests - kept);
    const document = JSON.parse((await readFile(log, 'utf8')).trim().split('\n').at(-1)!);
    for (const field of ['candidates', 'best', 'test', 'rounds', 'budget', 'requests'])
      expect(document[field]).toEqual(whole.report[field]);
  });

  it.each([
    ['another model', (line: Record<string, unknown>) => ({ ...line, model: 'another-model' })],
    [
      'another dataset under the same ids',
      (line: { fingerprint: Record<string, unknown> }) => ({
        ...line,
        fingerprint: { ...line.fingerprint, record: 'sha256:0000000000000000' },
      }),
    ],
  ])('--resume counts no evaluation a file holds from %s: every one is made again', async (_, change) => {
    const args = ['cot', '-d', files.small, '--triggers', files.triggers, '--no-cache'];
    const log = join(directory, `other-run-${Math.random().toString(36).slice(2)}.jsonl`);
    const whole = await tune(await serve(), [...args, '--jsonl', '-o', log]);
    expect(whole.result.code).toBe(0);
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const document = lines.at(-1);
    await writeFile(
      log,
      lines
        .slice(0, -1)
        .map((line) => `${JSON.stringify(change(line))}\n`)
        .join(''),
    );

    const server = await serve();
    const resumed = await tune(server, [...args, '--resume', log]);
    expect(resumed.result.code).toBe(0);
    expect(server.counts.chat).toBe(document.requests);
  });

  it('exits 4 with --fail-under when the winner scores below it on the test part', async () => {
    const server = await serve();
    const { result, report } = await tune(server, [
      'cot',
      '-d',
      files.small,
      '--triggers',
      files.triggers,
      '--fail-under',
      '0.99',
      '--json',
    ]);
    expect(result.code).toBe(4);
    expect(report.test.best.accuracy).toBeLessThan(0.99);
    expect(result.stderr).toMatch(
      new RegExp(
        `^promptlab: gate failed: --fail-under 0.99: the best candidate \\(${report.best.id}\\) scored [\\d.]+% on the test part\\n$`,
      ),
    );
    const passing = await tune(server, [
      'cot',
      '-d',
      files.small,
      '--triggers',
      files.triggers,
      '--fail-under',
      '0.5',
      '--json',
    ]);
    expect(passing.result.code).toBe(0);
  });

  it('--alpha sets the significance level of the verdict the terminal shows', async () => {
    const server = await serve();
    const home = await makeTempDir('promptlab-tune-home-');
    const onTerminal = (extra: readonly string[]) =>
      runCli(['tune', 'cot', '-d', files.dataset, '--triggers', files.triggers, ...extra, ...endpoint(server)], {
        env: { PROMPTLAB_HOME: home },
        stdoutColumns: 100,
      });
    // The first case's search: its winner's test p-value is below 0.001.
    const usual = await onTerminal([]);
    expect(usual.code).toBe(0);
    expect(usual.stdout).toMatch(/McNemar p < 0\.001: c3 is better than the baseline on the test part\./);
    // The same search again, from the cache, judged at a level no p-value of 60 records reaches.
    const strict = await onTerminal(['--alpha', '1e-30']);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(/McNemar p < 0\.001: no significant difference on the test part/);
    expect(server.counts.chat).toBe(144 + 2 * 60);
  });

  it('--split sets the share of the dataset the search sees', async () => {
    const server = await serve();
    const result = await runCli([
      'tune',
      'cot',
      '-d',
      files.dataset,
      '--triggers',
      files.triggers,
      '--split',
      '0.25',
      '--search',
      'exhaustive',
      '--dry-run',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.split).toEqual({ dev: 30, test: 90, fraction: 0.25 });
    // Every one of the 5 candidates on the 30 dev records, then the best and the baseline on the 90 test records.
    expect(plan.estimate.requests).toBe(5 * 30 + 2 * 90);
    expect(server.counts.total).toBe(0);
  });

  it('--dry-run lists the candidates and estimates the requests, calling nothing', async () => {
    const server = await serve();
    const result = await runCli([
      'tune',
      'cot',
      '-d',
      files.dataset,
      '--triggers',
      files.triggers,
      '--dry-run',
      ...endpoint(server),
    ]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.candidates.map((candidate: { id: string }) => candidate.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    // The plan of the first case: 144 evaluations on dev, then 2 × 60 on test.
    expect(plan.estimate).toEqual({ requests: 144 + 120, promptTokens: expect.any(Number) });
    expect(server.counts.total).toBe(0);
  });

  it.each([
    [
      ['nope', '--triggers', 'x'],
      /^promptlab: tune: unknown strategy "nope" \(known: zero-shot, few-shot, in-context, cot, self-consistency\)\n$/,
    ],
    [
      ['zero-shot', '--triggers', 'TRIGGERS'],
      /^promptlab: --triggers: zero-shot takes no trigger \(cot and self-consistency do\)\n$/,
    ],
    [['cot', '--rounds', '2'], /^promptlab: --rounds: give --generate K too/],
    [
      ['cot', '--triggers', 'TRIGGERS', '--budget', '5'],
      /^promptlab: --budget 5: the least search of 5 candidates \(one dev record each, then halving\) needs 12 requests; raise --budget or give fewer candidates\n$/,
    ],
    [['cot'], /^promptlab: nothing to tune: give candidates with --triggers/],
    [
      ['cot', '--triggers', 'TRIGGERS', '--split', '1'],
      /^promptlab: --split must be a number strictly between 0 and 1, got "1"\n$/,
    ],
    [['zero-shot', '--shots', '0,2'], /^promptlab: --shots: zero-shot takes no demonstrations\n$/],
    [['cot', '--shots', '2'], /^promptlab: --shots: give --examples FILE/],
    [['cot', '--triggers', 'TRIGGERS', '--save', 'out.txt'], /^promptlab: --save out.txt: name a .prompt file/],
    [
      ['cot', '--triggers', 'TRIGGERS', '--max-candidates', '3'],
      /^promptlab: the candidate axes make 5 candidates \(--triggers 5, each with the baseline's own\), more than --max-candidates 3; raise it or give fewer values\n$/,
    ],
    [
      ['cot', '--triggers', 'TRIGGERS', '-d', 'UNSCORED'],
      /^promptlab: .*unscored\.jsonl:2: no "expected" answer \(tune scores every record of the dataset\)\n$/,
    ],
  ])('refuses %j with one line and exit 2, before any request', async (args, message) => {
    const server = await serve();
    const unscored = join(directory, 'unscored.jsonl');
    await writeFile(unscored, '{"input": "What is 1 plus 1?", "expected": "2"}\n{"input": "What is 2 plus 2?"}\n');
    const named: Record<string, string> = { TRIGGERS: files.triggers, UNSCORED: unscored };
    const resolved = args.map((arg) => named[arg] ?? arg);
    const dataset = resolved.includes('-d') ? [] : ['-d', files.small];
    const result = await runCli(['tune', ...resolved, ...dataset, ...endpoint(server)]);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(server.counts.chat).toBe(0);
  });
});
