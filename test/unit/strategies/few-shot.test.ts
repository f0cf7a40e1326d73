import { describe, expect, it } from 'vitest';
import { createFakeChatClient } from '../../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../../support/strategy-harness.js';

const demonstrations = {
  'examples.jsonl': [
    { id: 'a', input: 'What is 1 plus 1?', output: '2' },
    { id: 'b', input: 'What is 2 plus 2?', output: '4' },
    { id: 'c', input: 'What is 3 plus 3?', output: '6' },
  ],
};

describe('few-shot', () => {
  it('puts the first k demonstrations before the input as turns, and names them in the result', async () => {
    const client = createFakeChatClient({ replies: ['8'] });
    const prepared = await prepareFor('few-shot', { examples: 'examples.jsonl', shots: '2' }, { demonstrations });
    const outcome = await prepared.run(record('What is 4 plus 4?'), contextFor(client));
    const turns = client.calls[0]!.messages.filter((message) => message.role !== 'system');
    expect(turns.map((message) => message.content)).toEqual([
      'What is 1 plus 1?',
      '2',
      'What is 2 plus 2?',
      '4',
      'What is 4 plus 4?',
    ]);
    expect(outcome).toMatchObject({ answer: '8', details: { demonstrations: ['a', 'b'] } });
  });

  it('writes them inline with --demo-format inline', async () => {
    const prepared = await prepareFor(
      'few-shot',
      { examples: 'examples.jsonl', shots: '1', demoFormat: 'inline' },
      { demonstrations },
    );
    const messages = await prepared.render(record('What is 9 plus 9?'));
    expect(messages.at(-1)!.content).toBe('Q: What is 1 plus 1?\nA: 2\n\nQ: What is 9 plus 9?\nA:');
  });

  it('runs without demonstrations at --shots 0 (the same prompt as zero-shot), and refuses a negative count', async () => {
    const prepared = await prepareFor('few-shot', { examples: 'examples.jsonl', shots: '0' }, { demonstrations });
    expect(await prepared.render(record('What is 4 plus 4?'))).toEqual(
      await (await prepareFor('zero-shot', {})).render(record('What is 4 plus 4?')),
    );
    await expect(
      prepareFor('few-shot', { examples: 'examples.jsonl', shots: '-1' }, { demonstrations }),
    ).rejects.toThrow('--shots must be a whole number (0 or more), got "-1"');
  });

  it('refuses more shots than the file holds, and a run without --examples', async () => {
    await expect(
      prepareFor('few-shot', { examples: 'examples.jsonl', shots: '4' }, { demonstrations }),
    ).rejects.toThrow('--shots 4 is more than the 3 demonstration(s) in examples.jsonl');
    await expect(prepareFor('few-shot', {})).rejects.toThrow(/--examples is required/);
  });
});
