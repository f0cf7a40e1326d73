import { describe, expect, it } from 'vitest';
import { createFakeChatClient } from '../../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../../support/strategy-harness.js';

describe('cot', () => {
  it('appends the trigger and extracts the answer from the reasoning by pattern', async () => {
    const client = createFakeChatClient({ replies: ['3 plus 4 is 7. The answer is 7.'] });
    const prepared = await prepareFor('cot', {});
    const outcome = await prepared.run(record('What is 3 plus 4?'), contextFor(client));
    expect(client.calls[0]!.messages.at(-1)!.content).toBe("What is 3 plus 4?\n\nLet's think step by step.");
    expect(outcome).toMatchObject({ answer: '7', requests: 1, completions: [{ answer: '7' }] });
  });

  it('asks a second, short, greedy call for the answer with --extract two-stage', async () => {
    const client = createFakeChatClient({ replies: ['Three and four make seven.', ' 7.'] });
    const prepared = await prepareFor('cot', { extract: 'two-stage', trigger: 'Think.' });
    const outcome = await prepared.run(record('What is 3 plus 4?'), contextFor(client));
    expect(client.calls).toHaveLength(2);
    expect(client.calls[1]).toMatchObject({ temperature: 0, maxTokens: 32 });
    expect(client.calls[1]!.messages.at(-1)!.content).toMatch(/Therefore, the answer \(arabic numerals\) is/);
    expect(outcome).toMatchObject({ answer: '7', requests: 2, completions: [{ answerStep: ' 7.' }] });
  });

  it('uses worked demonstrations instead of the trigger, and refuses demonstrations without reasoning', async () => {
    const demonstrations = {
      'worked.jsonl': [{ input: 'What is 1 plus 2?', output: '3', reasoning: 'One and two make three.' }],
      'bare.jsonl': [{ input: 'What is 1 plus 2?', output: '3' }],
    };
    const prepared = await prepareFor('cot', { examples: 'worked.jsonl' }, { demonstrations });
    const messages = await prepared.render(record('What is 2 plus 2?'));
    expect(messages.map((message) => message.content)).toContain('One and two make three. The answer is 3.');
    expect(messages.at(-1)!.content).toBe('What is 2 plus 2?');
    const none = await prepareFor('cot', { examples: 'worked.jsonl', shots: '0' }, { demonstrations });
    expect((await none.render(record('What is 2 plus 2?'))).at(-1)!.content).toBe(
      "What is 2 plus 2?\n\nLet's think step by step.",
    );
    await expect(prepareFor('cot', { examples: 'bare.jsonl' }, { demonstrations })).rejects.toThrow(
      'bare.jsonl:1: missing "reasoning"',
    );
  });
});
