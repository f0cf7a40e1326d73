/** tune's pure pieces around the search: the saved template, proposals, axes from files, the document and its view. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noColors } from '../../src/render/colors.js';
import { textWidth } from '../../src/render/text-width.js';
import { leaderboardOrder, renderTuneLeaderboard } from '../../src/render/tune-leaderboard.js';
import { accuracyScore, type TuneReport, tuneTest } from '../../src/scoring/tune-report.js';
import { loadTemplate, shippedTemplatesDir } from '../../src/templates/load-template.js';
import { withSystemMessage } from '../../src/templates/system-message.js';
import { cleanProposal } from '../../src/tune/propose-instructions.js';
import { savedTemplate, withSystemSection } from '../../src/tune/saved-template.js';
import { lines, paragraphs } from '../../src/tune/tune-axes.js';

const shipped = { projectDir: '/nonexistent-promptlab-prompts', shippedDir: shippedTemplatesDir };

describe('the saved template', () => {
  it.each([
    ['math', { input: 'What is 2 plus 3?' }],
    ['question', { input: 'What is 2 plus 3?' }],
    ['multiple-choice', { input: 'Which is prime?', choices: ['4', '7'] }],
  ])('renders what --system renders over %s, with the system text taken literally', async (name, vars) => {
    const template = await loadTemplate(name, shipped);
    const system = 'Be exact. Write {{input}} as text, and \\ as a backslash.';
    const text = savedTemplate({
      source: await (await import('node:fs/promises')).readFile(template.path, 'utf8'),
      file: template.path,
      description: 'tuned',
      system,
      trigger: null,
      demonstrations: [],
      settings: {},
      provenance: { candidate: 'c1' },
    });
    const directory = await mkdtemp(join(tmpdir(), 'promptlab-saved-'));
    const path = join(directory, 'saved.prompt');
    await writeFile(path, text);
    const saved = await loadTemplate(path, shipped);
    expect(await saved.render(vars, 'r1')).toEqual(await withSystemMessage(template, system).render(vars, 'r1'));
    expect(saved.settings).toEqual(template.settings);
  });

  it('keeps the front matter, puts the candidate into promptlab: and the provenance under promptlab.tune:', () => {
    const text = savedTemplate({
      source: '---\ndescription: old\npromptlab:\n  answer: number\n---\n{{input}}\n',
      file: 'math.prompt',
      description: 'tuned cot',
      system: null,
      trigger: 'Take a deep breath.',
      demonstrations: [{ id: 'e1', input: 'What is 1 plus 1?', output: '2', reasoning: 'One and one.' }],
      settings: { normalize: 'remove-whitespace' },
      provenance: { candidate: 'c3', test: { accuracy: 0.9 } },
    });
    expect(text).toBe(
      [
        '---',
        'description: tuned cot',
        'promptlab:',
        '  answer: number',
        '  normalize: remove-whitespace',
        '  trigger: Take a deep breath.',
        '  demonstrations:',
        '    - id: e1',
        '      input: What is 1 plus 1?',
        '      output: "2"',
        '      reasoning: One and one.',
        'promptlab.tune:',
        '  candidate: c3',
        '  test:',
        '    accuracy: 0.9',
        '---',
        '{{input}}',
        '',
      ].join('\n'),
    );
  });

  it('moves text before the first role marker into a user message of its own', () => {
    expect(withSystemSection('Q: {{input}}\n', 'S')).toBe('{{role "system"}}\nS\n{{role "user"}}\nQ: {{input}}\n');
    expect(withSystemSection('{{role "system"}}\nold\n{{role "user"}}\n{{input}}', 'new')).toBe(
      '{{role "system"}}\nnew\n{{role "user"}}\n{{input}}',
    );
  });
});

describe('cleanProposal', () => {
  it.each([
    ['Take a deep breath.', 'Take a deep breath.'],
    ['  "Take a deep breath."  ', 'Take a deep breath.'],
    ['Instruction: Add the numbers.\n\nThis works because...', 'Add the numbers.'],
    ['The instruction was: add them', 'add them'],
    ["Output: 'Think it through.'", 'Think it through.'],
    ['   \n', ''],
  ])('%j → %j', (reply, expected) => expect(cleanProposal(reply)).toBe(expected));
});

describe('reading the candidate files', () => {
  it('reads one system instruction per paragraph, one trigger per line', () => {
    expect(paragraphs('Be brief.\nVery brief.\n\n\n  Be careful.  \r\n\r\nThird.')).toEqual([
      'Be brief.\nVery brief.',
      'Be careful.',
      'Third.',
    ]);
    expect(lines(' a \n\nb\r\n')).toEqual(['a', 'b']);
  });
});

const entry = (id: string, label: string, accuracy: number, n: number, stoppedAtRound: number) => ({
  id,
  label,
  source: id === 'c0' ? ('baseline' as const) : ('given' as const),
  template: 'question',
  dev: accuracyScore(Array.from({ length: n }, (_, index) => index < Math.round(accuracy * n))),
  stoppedAtRound,
});

function report(overrides: Partial<TuneReport> = {}): TuneReport {
  const candidates = [
    entry('c0', 'baseline', 0.6, 24, 2),
    entry(
      'c1',
      `trigger: ${'Take a deep breath and work on this problem step-by-step, very carefully. '.repeat(2)}`,
      0.8,
      48,
      3,
    ),
    entry('c2', 'trigger: Answer at once.', 0.5, 12, 1),
    entry('c3', "trigger: Let's work this out in a step by step way to be sure we have the right answer.", 0.95, 48, 3),
  ];
  const best = new Map(Array.from({ length: 60 }, (_, index) => [`t${index}`, index < 57]));
  const baseline = new Map(Array.from({ length: 60 }, (_, index) => [`t${index}`, index < 38]));
  return {
    schema: 'promptlab.tune/v1',
    strategy: 'cot',
    model: 'a-model',
    dataset: { path: 'data.jsonl', fingerprint: 'sha256:0', records: 120 },
    seed: 0,
    split: { dev: 60, test: 60, fraction: 0.5 },
    search: 'halving',
    budget: { limit: 150, spent: 144 },
    candidates,
    best: candidates[3]!,
    baseline: candidates[0]!,
    test: tuneTest(best, baseline),
    rounds: [
      { round: 1, stage: 0, records: 12, candidates: ['c0', 'c1', 'c2', 'c3'], kept: ['c3', 'c1'], evaluations: 48 },
    ],
    requests: 264,
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
    ...overrides,
  };
}

describe('the tune document and its view', () => {
  it('scores the test part with Wilson intervals and pairs it for McNemar', () => {
    const { test } = report();
    expect(test.best).toMatchObject({ n: 60, correct: 57, accuracy: 0.95 });
    expect(test.baseline).toMatchObject({ n: 60, correct: 38 });
    expect(test).toMatchObject({ better: 19, worse: 0 });
    expect(test.delta).toBeCloseTo(19 / 60, 12);
    expect(test.pValue).toBeCloseTo(2 / 2 ** 19, 12);
    expect(test.best.ci95![0]).toBeCloseTo(0.8625, 3);
  });

  it('orders the leaderboard by the round reached, then dev accuracy', () => {
    expect(leaderboardOrder(report().candidates).map((candidate) => candidate.id)).toEqual(['c3', 'c1', 'c0', 'c2']);
  });

  it('fits 80 columns, marks the winner, and gives the test verdict beside the dev scores', () => {
    const text = renderTuneLeaderboard(report(), { colors: noColors, width: 80, alpha: 0.05 });
    for (const line of text.split('\n')) expect([textWidth(line), line]).toEqual([Math.min(80, textWidth(line)), line]);
    expect(text).toContain('halving · 4 candidates · 1 round · budget 144/150 · 264 requests sent');
    expect(text).toContain("\n▸ c3  trigger: Let's work this out in a step by step way to b…  95.8%  48      3\n");
    expect(text).toMatch(/^ {2}c0 {2}baseline {2,}58\.3% {2}24 {6}2$/m);
    expect(Math.max(...text.split('\n').map(textWidth))).toBe(80);
    expect(text).toContain('test: 60 records the search never saw');
    expect(text).toMatch(/best {6}c3 {3}95\.0% \[86\.3–98\.3\] +dev 95\.8% on 48/);
    expect(text).toContain('+31.7 pts, McNemar p < 0.001: c3 is better than the baseline on the test part.');
    expect(text).toContain('Report the test numbers: the dev scores chose the winner and overstate it.');
  });

  it.each([
    [
      'no significant difference',
      new Map([...Array(60).keys()].map((index) => [`t${index}`, index < 40])),
      new Map([...Array(60).keys()].map((index) => [`t${index}`, index < 38])),
      /\+3\.3 pts, McNemar p = 0\.5: no significant difference on the test part; its dev lead may be luck\./,
    ],
    [
      'worse',
      new Map([...Array(60).keys()].map((index) => [`t${index}`, index < 20])),
      new Map([...Array(60).keys()].map((index) => [`t${index}`, index < 38])),
      /-30\.0 pts, McNemar p < 0\.001: c3 is worse than the baseline on the test part; keep the baseline\./,
    ],
  ])('says when the winner is %s on the test part', (_, best, baseline, verdict) => {
    const text = renderTuneLeaderboard(report({ test: tuneTest(best, baseline) }), {
      colors: noColors,
      width: 80,
      alpha: 0.05,
    });
    expect(text).toMatch(verdict);
  });

  it('says so when the baseline stays best', () => {
    const base = report();
    const text = renderTuneLeaderboard(report({ best: base.baseline }), { colors: noColors, width: 80, alpha: 0.05 });
    expect(text).toContain('No candidate beat the baseline on dev: keep it.');
    expect(text).not.toContain('McNemar');
  });
});
