/** Demonstrations carried in a template's front matter (what `tune --save` writes), read by the strategies. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/errors.js';
import { loadTemplate, shippedTemplatesDir } from '../../src/templates/load-template.js';
import { createFakeChatClient } from '../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../support/strategy-harness.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
let carrying = '';
let worked = '';

beforeAll(async () => {
  const directory = await makeTempDir('promptlab-template-demos-');
  carrying = join(directory, 'carrying.prompt');
  await writeFile(
    carrying,
    [
      '---',
      'promptlab:',
      '  answer: number',
      '  demonstrations:',
      '    - input: What is 1 plus 1?',
      '      output: 2',
      '    - { id: b, input: What is 2 plus 2?, output: 4 }',
      '---',
      '{{input}}',
      '',
    ].join('\n'),
  );
  worked = join(directory, 'worked.prompt');
  await writeFile(
    worked,
    [
      '---',
      'promptlab:',
      '  answer: number',
      '  demonstrations:',
      '    - input: What is 1 plus 2?',
      '      output: 3',
      '      reasoning: One and two make three.',
      '---',
      '{{input}}',
      '',
    ].join('\n'),
  );
});

describe('demonstrations in the template', () => {
  it('few-shot uses all of them without --examples, and the first K with --shots K', async () => {
    const client = createFakeChatClient({ replies: ['8'] });
    const prepared = await prepareFor('few-shot', {}, { template: carrying });
    const outcome = await prepared.run(record('What is 4 plus 4?'), contextFor(client));
    expect(client.calls[0]!.messages.map((message) => message.content)).toEqual([
      'What is 1 plus 1?',
      '2',
      'What is 2 plus 2?',
      '4',
      'What is 4 plus 4?',
    ]);
    expect(outcome.details).toEqual({ demonstrations: [`template "carrying" demonstration 1`, 'b'] });
    const one = await prepareFor('few-shot', { shots: '1' }, { template: carrying });
    expect(await one.render(record('What is 4 plus 4?'))).toHaveLength(3);
  });

  it('an --examples file still wins over them, and few-shot keeps its default of 4 shots for a file', async () => {
    const demonstrations = {
      'examples.jsonl': Array.from({ length: 5 }, (_, index) => ({ input: `q${index}`, output: `a${index}` })),
    };
    const prepared = await prepareFor(
      'few-shot',
      { examples: 'examples.jsonl' },
      { template: carrying, demonstrations },
    );
    const messages = await prepared.render(record('What is 4 plus 4?'));
    expect(messages.map((message) => message.content).slice(0, 2)).toEqual(['q0', 'a0']);
    expect(messages).toHaveLength(9);
  });

  it('cot uses worked demonstrations from the template instead of the trigger', async () => {
    const prepared = await prepareFor('cot', {}, { template: worked });
    const messages = await prepared.render(record('What is 2 plus 2?'));
    expect(messages.map((message) => message.content)).toEqual([
      'What is 1 plus 2?',
      'One and two make three. The answer is 3.',
      'What is 2 plus 2?',
    ]);
  });

  it('refuses a misspelt field of a demonstration, naming the file line', async () => {
    const directory = await makeTempDir('promptlab-template-demos-');
    const file = join(directory, 'typo.prompt');
    await writeFile(file, '---\npromptlab:\n  demonstrations:\n    - { input: a, outptu: b }\n---\n{{input}}\n');
    const loading = loadTemplate(file, { projectDir: directory, shippedDir: shippedTemplatesDir });
    await expect(loading).rejects.toThrow(TemplateError);
    await expect(loading).rejects.toThrow(/typo\.prompt:4\)?: promptlab\.demonstrations\.0/);
  });
});
