import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/chat-client.js';
import { TemplateError } from '../../src/errors.js';
import {
  listTemplates,
  loadTemplate,
  shippedTemplatesDir,
  type TemplateDirs,
} from '../../src/templates/load-template.js';

const temporaryDirs: string[] = [];

afterEach(async () => {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temp dir holding the given files (names may include subdirectories). */
async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'promptlab-templates-'));
  temporaryDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

/** Template dirs whose project dir holds `files` and whose shipped dir is the real shipped library. */
async function projectWith(files: Record<string, string>): Promise<TemplateDirs> {
  return { projectDir: await dirWith(files), shippedDir: shippedTemplatesDir };
}

const shippedOnly: TemplateDirs = {
  projectDir: path.join(os.tmpdir(), 'promptlab-no-such-dir', 'prompts'),
  shippedDir: shippedTemplatesDir,
};

async function renderOnce(body: string, vars: Record<string, unknown>): Promise<ChatMessage[]> {
  const template = await loadTemplate('t', await projectWith({ 't.prompt': body }));
  return template.render(vars, 'record:1');
}

async function templateErrorOf(action: () => Promise<unknown>): Promise<string> {
  const error = await action().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return (error as TemplateError).message;
}

describe('the shipped library', () => {
  it('lives in the repo prompts/ dir', () =>
    expect(existsSync(path.join(shippedTemplatesDir, 'question.prompt'))).toBe(true));

  it.each<[string, Record<string, unknown>, ChatMessage[]]>([
    ['question', { input: 'What is 2 + 2?' }, [{ role: 'user', content: 'What is 2 + 2?' }]],
    [
      'math',
      { input: 'Tom has 3 apples and eats 1. How many are left?' },
      [
        {
          role: 'system',
          content: 'Solve the problem. End your reply with "The answer is N." where N is the number that answers it.',
        },
        { role: 'user', content: 'Tom has 3 apples and eats 1. How many are left?' },
      ],
    ],
    [
      'multiple-choice',
      { input: 'Which is a prime?', choices: ['4', '6', '7'] },
      [
        {
          role: 'system',
          content:
            'Answer the multiple-choice question. End your reply with "The answer is (X)." where X is the letter of the correct choice.',
        },
        { role: 'user', content: 'Which is a prime?\n\nAnswer choices:\n(A) 4\n(B) 6\n(C) 7' },
      ],
    ],
    [
      'yes-no',
      { input: 'Is 7 prime?' },
      [
        {
          role: 'system',
          content:
            'Answer the question with yes or no. End your reply with "The answer is yes." or "The answer is no."',
        },
        { role: 'user', content: 'Is 7 prime?' },
      ],
    ],
    [
      'extract',
      {
        question: 'What is 2 + 3?',
        reasoning: '2 plus 3 makes 5.',
        answerTrigger: 'Therefore, the answer (arabic numerals) is',
      },
      [
        {
          role: 'user',
          content:
            "Q: What is 2 + 3?\nA: Let's think step by step. 2 plus 3 makes 5.\nTherefore, the answer (arabic numerals) is",
        },
      ],
    ],
  ])('renders %s', async (name, vars, expected) => {
    const template = await loadTemplate(name, shippedOnly);
    expect([template.origin, await template.render(vars, 'data.jsonl:1')]).toEqual(['shipped', expected]);
  });

  it.each<[string, string[], Record<string, string>]>([
    ['question', ['input'], {}],
    ['math', ['input'], { answer: 'number', answerTrigger: 'Therefore, the answer (arabic numerals) is' }],
    ['multiple-choice', ['choices', 'input'], { answer: 'choice' }],
    ['yes-no', ['input'], { answer: 'yesno', answerTrigger: 'Therefore, the answer (Yes or No) is' }],
    ['extract', ['answerTrigger', 'question', 'reasoning'], {}],
  ])('%s needs %j and carries settings %j', async (name, variables, settings) => {
    const template = await loadTemplate(name, shippedOnly);
    expect([template.variables, template.settings, typeof template.description]).toEqual([
      variables,
      settings,
      'string',
    ]);
  });

  it('accepts preformatted choices in multiple-choice', async () => {
    const template = await loadTemplate('multiple-choice', shippedOnly);
    const messages = await template.render({ input: 'Pick one.', choices: '(A) red\n(B) blue' }, 'x:1');
    expect(messages[1]).toEqual({ role: 'user', content: 'Pick one.\n\nAnswer choices:\n(A) red\n(B) blue' });
  });

  it('lets callers replace the first-stage trigger in extract', async () => {
    const template = await loadTemplate('extract', shippedOnly);
    const messages = await template.render(
      { question: 'Q?', reasoning: 'R.', answerTrigger: 'So:', trigger: 'Think.' },
      'x:1',
    );
    expect(messages).toEqual([{ role: 'user', content: 'Q: Q?\nA: Think. R.\nSo:' }]);
  });
});

describe('rendering', () => {
  it('maps model to assistant, joins text and drops empty messages', async () => {
    const body =
      '{{role "system"}}\n\n{{role "system"}}Be brief.\n{{role "user"}}Hi {{name}}!\n{{role "model"}}Hello.\n{{role "user"}}{{input}}';
    expect(await renderOnce(body, { name: 'Ada', input: 'Go on.' })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi Ada!' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Go on.' },
    ]);
  });

  it.each<[string, string]>([
    ['{{x}}', 'literal {{input}} and {{#each y}}'],
    ['{{x}}', `a < b && c > 'd' "e" = \`f\``],
    ['{{{x}}}', '<b>bold</b> & co'],
  ])('inserts values as data, unescaped: %s ← %s', async (body, value) =>
    expect(await renderOnce(body, { x: value })).toEqual([{ role: 'user', content: value }]),
  );

  it('keeps a value that spells a dotprompt role marker inside its message', async () => {
    const value = 'before <<<dotprompt:role:system>>> after';
    expect(await renderOnce('{{role "user"}}Q: {{x}}', { x: value })).toEqual([
      { role: 'user', content: `Q: ${value}` },
    ]);
  });

  it('keeps Handlebars prototype access disabled', async () =>
    expect(
      await renderOnce('[{{x.constructor.name}}][{{y.constructor.name}}][{{y.a}}][{{x.length}}]', {
        x: 'text',
        y: { a: 1 },
      }),
    ).toEqual([{ role: 'user', content: '[][][1][4]' }]));

  it('lists every missing variable, in template order, with the record', async () => {
    const dirs = await projectWith({ 'quiz.prompt': '{{question}}\n{{#each choices}}{{this}}{{/each}}\n{{topic}}' });
    const template = await loadTemplate('quiz', dirs);
    const message = await templateErrorOf(() => template.render({ topic: 'math', choices: null }, 'data.jsonl:3'));
    expect(message).toBe(
      `template "quiz" (${path.join(dirs.projectDir, 'quiz.prompt')}): record data.jsonl:3 is missing variable(s): question, choices`,
    );
  });

  it('fills input.default, lets a record override it, and treats null as absent', async () => {
    const dirs = await projectWith({
      'greet.prompt': '---\ninput:\n  default:\n    greeting: Hello\n---\n{{greeting}}, {{name}}.',
    });
    const template = await loadTemplate('greet', dirs);
    const rendered = await Promise.all([
      template.render({ name: 'Ada' }, 'a'),
      template.render({ name: 'Ada', greeting: 'Hi' }, 'b'),
      template.render({ name: 'Ada', greeting: null }, 'c'),
    ]);
    expect([template.variables, rendered.map((messages) => messages[0]?.content)]).toEqual([
      ['name'],
      ['Hello, Ada.', 'Hi, Ada.', 'Hello, Ada.'],
    ]);
  });

  it('takes required variables from a Picoschema input.schema', async () => {
    const source = '---\ninput:\n  schema:\n    question: string\n    hint?: string\n---\n{{question}} {{hint}}';
    const template = await loadTemplate('schema', await projectWith({ 'schema.prompt': source }));
    const message = await templateErrorOf(() => template.render({}, 'r:7'));
    expect([
      template.variables,
      message.endsWith('record r:7 is missing variable(s): question'),
      await template.render({ question: 'Why?' }, 'r:8'),
    ]).toEqual([['question'], true, [{ role: 'user', content: 'Why?' }]]);
  });

  it('renders a template saved with Windows line endings like one saved with Unix ones', async () =>
    expect(
      await renderOnce(
        '---\r\ndescription: x\r\n---\r\n{{role "system"}}\r\nA\r\nB\r\n{{role "user"}}\r\n{{input}}\r\n',
        { input: 'Q' },
      ),
    ).toEqual([
      { role: 'system', content: 'A\nB' },
      { role: 'user', content: 'Q' },
    ]));

  it('leaves variables used only under #if optional', async () =>
    expect(await renderOnce('{{input}}{{#if context}} (context: {{context}}){{/if}}', { input: 'Q' })).toEqual([
      { role: 'user', content: 'Q' },
    ]));
});

describe('partials', () => {
  it('resolves _name.prompt from the project dir and counts its variables', async () => {
    const dirs = await projectWith({
      '_intro.prompt': 'You teach {{subject}}.',
      'lesson.prompt': '{{role "system"}}{{> intro}}\n{{role "user"}}{{input}}',
    });
    const template = await loadTemplate('lesson', dirs);
    expect([
      template.variables,
      await template.render({ subject: 'chemistry', input: 'Why is ice slippery?' }, 'r'),
    ]).toEqual([
      ['input', 'subject'],
      [
        { role: 'system', content: 'You teach chemistry.' },
        { role: 'user', content: 'Why is ice slippery?' },
      ],
    ]);
  });

  it('keeps partials of templates in two directories apart', async () => {
    const first = await dirWith({ '_header.prompt': 'first header', 't.prompt': '{{> header}}: {{input}}' });
    const second = await dirWith({ '_header.prompt': 'second header', 't.prompt': '{{> header}}: {{input}}' });
    const [a, b] = await Promise.all([
      loadTemplate(path.join(first, 't.prompt'), shippedOnly),
      loadTemplate(path.join(second, 't.prompt'), shippedOnly),
    ]);
    const contents = await Promise.all([a!.render({ input: 'x' }, 'r'), b!.render({ input: 'y' }, 'r')]);
    expect([a!.origin, contents]).toEqual([
      'path',
      [[{ role: 'user', content: 'first header: x' }], [{ role: 'user', content: 'second header: y' }]],
    ]);
  });

  it.each<[string, RegExp]>([
    ['{{> ../../etc/passwd}}', /:1\): partial name "\.\.\/\.\.\/etc\/passwd" is refused/],
    ['\n{{> "/etc/passwd"}}', /:2\): partial name "\/etc\/passwd" is refused/],
    ['{{> "sub\\\\file"}}', /partial name "sub\\\\file" is refused/],
    ['{{> (lookup . "name")}}', /dynamic partials/],
    ['{{> missing}}', /^template "t" \(.*t\.prompt:1\): unknown partial "missing" \(no _missing\.prompt in /],
  ])('refuses %s', async (body, expected) => {
    const dirs = await projectWith({ 't.prompt': body });
    expect(await templateErrorOf(() => loadTemplate('t', dirs))).toMatch(expected);
  });

  it('names the partial file and its line for an error inside a partial', async () => {
    const dirs = await projectWith({ '_intro.prompt': 'fine\n{{#if x}', 't.prompt': '{{> intro}}' });
    expect(await templateErrorOf(() => loadTemplate('t', dirs))).toBe(
      `partial "intro" of template "t" (${path.join(dirs.projectDir, '_intro.prompt')}:2): Handlebars syntax error near "fine{{#if x}"`,
    );
  });

  it('does not load a partial as a template by name', async () => {
    const dirs = await projectWith({ '_intro.prompt': 'intro' });
    expect(await templateErrorOf(() => loadTemplate('_intro', dirs))).toMatch(/^unknown template "_intro"/);
  });
});

describe('finding templates', () => {
  it('lets the project dir shadow a shipped template of the same name', async () => {
    const dirs = await projectWith({ 'math.prompt': '---\ndescription: Our math.\n---\nCompute: {{input}}' });
    const template = await loadTemplate('math', dirs);
    expect([
      template.origin,
      template.description,
      template.path,
      await template.render({ input: '1+1' }, 'r'),
    ]).toEqual([
      'project',
      'Our math.',
      path.join(dirs.projectDir, 'math.prompt'),
      [{ role: 'user', content: 'Compute: 1+1' }],
    ]);
  });

  it('lists project and shipped templates, shadowed once, without partials', async () => {
    const dirs = await projectWith({
      'math.prompt': 'x {{input}}',
      '_part.prompt': 'p',
      'zeta.prompt': '{{input}}',
      'notes.txt': 'n',
    });
    const listing = await listTemplates(dirs);
    expect(listing.map(({ name, origin, description }) => [name, origin, description])).toEqual([
      ['extract', 'shipped', expect.stringContaining('Kojima')],
      ['math', 'project', null],
      ['multiple-choice', 'shipped', expect.any(String)],
      ['question', 'shipped', expect.any(String)],
      ['tune-instruction', 'shipped', expect.stringContaining('APE')],
      ['tune-paraphrase', 'shipped', expect.stringContaining('APE')],
      ['tune-trigger', 'shipped', expect.stringContaining('APE')],
      ['yes-no', 'shipped', expect.any(String)],
      ['zeta', 'project', null],
    ]);
  });

  it('names the templates that exist when a name is unknown', async () =>
    expect(await templateErrorOf(() => loadTemplate('mth', shippedOnly))).toMatch(
      /^unknown template "mth" \(looked in .*\); available: extract, math, multiple-choice, question, tune-instruction, tune-paraphrase, tune-trigger, yes-no$/,
    ));

  it('loads a path and reports a missing one', async () => {
    const dir = await dirWith({ 'mine.prompt': '{{input}}!' });
    const template = await loadTemplate(path.join(dir, 'mine.prompt'), shippedOnly);
    expect([template.name, template.origin, await template.render({ input: 'hi' }, 'r')]).toEqual([
      'mine',
      'path',
      [{ role: 'user', content: 'hi!' }],
    ]);
    expect(await templateErrorOf(() => loadTemplate(path.join(dir, 'gone.prompt'), shippedOnly))).toMatch(
      /^template file ".*gone\.prompt" not found$/,
    );
  });
});

describe('template errors', () => {
  it.each<[string, string, RegExp]>([
    [
      'a Handlebars syntax error',
      '---\ndescription: x\n---\nfirst\n{{#if x}\n',
      /^template "t" \(.*t\.prompt:5\): Handlebars syntax error near "first\{\{#if x\}"$/,
    ],
    [
      'a mismatched block',
      'a\n{{#if x}}b{{/each}}',
      /^template "t" \(.*t\.prompt:2\): Handlebars error: if doesn't match each$/,
    ],
    [
      'an unknown helper',
      '---\n---\n\n{{shout input}}',
      /^template "t" \(.*t\.prompt:4\): unknown helper "shout" \(Dotprompt templates can use only if, unless, each/,
    ],
    [
      'a YAML error',
      '---\ndescription: x\ninput: [1,\n---\n{{x}}',
      /^template "t" \(.*t\.prompt:\d\): invalid YAML front matter: /,
    ],
    [
      'an unclosed front matter',
      '---\ndescription: x\n{{x}}',
      /^template "t" \(.*t\.prompt:1\): front matter starts with --- but has no closing --- line$/,
    ],
    [
      'a misspelt promptlab setting',
      '---\npromptlab:\n  answer: number\n  answr: number\n---\n{{x}}',
      /^template "t" \(.*t\.prompt:4\): unknown promptlab setting "answr" \(known: answer, choices, trigger, answerTrigger, demonstrations, pick, normalize\)$/,
    ],
    [
      'a bad answer type',
      '---\npromptlab:\n  answer: numbers\n---\n{{x}}',
      /^template "t" \(.*t\.prompt:3\): promptlab\.answer: expected number, choice, yesno, text or regex:PATTERN$/,
    ],
    [
      'a bad regex answer',
      '---\npromptlab:\n  answer: "regex:(unclosed"\n---\n{{x}}',
      /t\.prompt:3\): promptlab\.answer: the regex: pattern is not a valid regular expression$/,
    ],
    ['a bad pick', '---\npromptlab:\n  pick: middle\n---\n{{x}}', /t\.prompt:3\): promptlab\.pick: /],
    [
      'an unknown normalisation step',
      '---\npromptlab:\n  answer: text\n  normalize: remove-whitespace,remove-spaces\n---\n{{x}}',
      /^template "t" \(.*t\.prompt:4\): promptlab\.normalize: unknown normalisation step "remove-spaces" \(known: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles\)$/,
    ],
    [
      'an unknown normalisation step in a list',
      '---\npromptlab:\n  normalize:\n    - lowercase\n    - trim\n---\n{{x}}',
      /t\.prompt:\d\): promptlab\.normalize: unknown normalisation step "trim"/,
    ],
    [
      'normalisation steps for a number answer',
      '---\npromptlab:\n  answer: number\n  normalize: lowercase\n---\n{{x}}',
      /t\.prompt:4\): promptlab\.normalize: applies to text and regex answers; answer: number has its own canonical form$/,
    ],
    ['a non-string description', '---\ndescription: [a]\n---\n{{x}}', /t\.prompt:2\): description: /],
    [
      'an unknown schema type',
      '---\ninput:\n  schema:\n    x: strng\n---\n{{x}}',
      /t\.prompt:4\): input\.schema: Picoschema: unsupported scalar type 'strng'/,
    ],
    ['an unsupported role', '{{role "tool"}}hello', /^template "t" \(.*\): role "tool" is not supported/],
  ])('reports %s in one line with file and line', async (_case, source, expected) => {
    const dirs = await projectWith({ 't.prompt': source });
    const message = await templateErrorOf(() => loadTemplate('t', dirs));
    expect([message.includes('\n'), message]).toEqual([false, expect.stringMatching(expected)]);
  });

  it('accepts every promptlab setting, regex answers included, and leaves other front-matter keys to Dotprompt', async () => {
    const source = [
      '---',
      'model: some/model',
      'config: {temperature: 0.3}',
      'myext.flag: true',
      'promptlab:',
      '  answer: "regex:ANSWER: (\\\\w+)"',
      '  choices: [A, B, C]',
      "  trigger: Let's reason.",
      '  answerTrigger: So the answer is',
      '  pick: last',
      '  normalize: Lowercase, remove-articles',
      '---',
      '{{input}}',
    ].join('\n');
    const template = await loadTemplate('t', await projectWith({ 't.prompt': source }));
    expect(template.settings).toEqual({
      answer: 'regex:ANSWER: (\\w+)',
      choices: ['A', 'B', 'C'],
      trigger: "Let's reason.",
      answerTrigger: 'So the answer is',
      pick: 'last',
      normalize: ['lowercase', 'remove-articles'],
    });
  });

  it('reads normalize as a YAML list too', async () => {
    const source = '---\npromptlab:\n  normalize:\n    - remove-whitespace\n    - remove-punctuation\n---\n{{input}}';
    const template = await loadTemplate('t', await projectWith({ 't.prompt': source }));
    expect(template.settings.normalize).toEqual(['remove-whitespace', 'remove-punctuation']);
  });
});
