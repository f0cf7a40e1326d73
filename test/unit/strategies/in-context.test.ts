import { describe, expect, it } from 'vitest';
import { createFakeChatClient } from '../../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../../support/strategy-harness.js';

const demonstrations = {
  'pool.jsonl': [
    { id: 'apples', input: 'How many apples are in two baskets of apples?', output: '10' },
    { id: 'trains', input: 'How fast does the train go?', output: '60' },
    { id: 'same', input: 'How many pears are in a basket of pears?', output: '5' },
  ],
};

describe('in-context', () => {
  it('picks the most similar pool items by BM25, most similar last, never the record itself', async () => {
    const client = createFakeChatClient({ replies: ['The answer is 7.'] });
    const prepared = await prepareFor('in-context', { pool: 'pool.jsonl', shots: '2' }, { demonstrations });
    const outcome = await prepared.run(
      record('How many pears are in a basket of pears?', { id: 'same' }),
      contextFor(client),
    );
    expect(outcome.details).toEqual({ demonstrations: ['trains', 'apples'] });
    expect(client.calls).toHaveLength(1);
  });

  it('selects by embeddings from the endpoint (pool embedded once) and adds context documents', async () => {
    const client = createFakeChatClient();
    const prepared = await prepareFor(
      'in-context',
      { pool: 'pool.jsonl', shots: '1', select: 'embedding', context: ['notes.txt'] },
      { demonstrations, texts: { 'notes.txt': 'Trains are fast.' } },
    );
    const first = await prepared.run(record('How fast is the train?'), contextFor(client));
    await prepared.run(record('How fast is a train?', { id: 'r2' }), contextFor(client));
    expect(first.details).toEqual({ demonstrations: ['trains'] });
    expect(client.embedCalls.map((texts) => texts.length)).toEqual([3, 1, 1]);
    expect(first.requests).toBe(3);
    expect(client.calls[0]!.messages.some((message) => message.content.includes('Trains are fast.'))).toBe(true);
  });
});
