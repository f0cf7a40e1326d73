import { describe, expect, it } from 'vitest';
import { EndpointError } from '../../../src/errors.js';
import { createFakeChatClient } from '../../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../../support/strategy-harness.js';

describe('zero-shot', () => {
  it('sends the template alone, once, greedy, and extracts the answer', async () => {
    const client = createFakeChatClient({ replies: ['Adding them, the answer is 12.'] });
    const prepared = await prepareFor('zero-shot', {});
    const outcome = await prepared.run(record('What is 5 plus 7?'), contextFor(client, { seed: 3 }));
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]).toMatchObject({ temperature: 0, seed: 3, sampleIndex: 0 });
    expect(client.calls[0]!.messages.at(-1)).toEqual({ role: 'user', content: 'What is 5 plus 7?' });
    expect(outcome).toMatchObject({ answer: '12', samplesUsed: 1, requests: 1, warnings: [] });
  });

  it('renders for --dry-run exactly what it sends', async () => {
    const client = createFakeChatClient();
    const prepared = await prepareFor('zero-shot', {});
    await prepared.run(record('q?'), contextFor(client));
    expect(await prepared.render(record('q?'))).toEqual(client.calls[0]!.messages);
  });

  it('warns about a truncated reply and fails a call that returns no choice', async () => {
    const prepared = await prepareFor('zero-shot', {});
    const truncated = await prepared.run(
      record('q?'),
      contextFor(createFakeChatClient({ replies: [{ text: 'The answer is', finishReason: 'length' }] })),
    );
    expect(truncated.warnings[0]).toMatch(/^the reply stopped at the server’s own limit/);
    const failing = createFakeChatClient({ replies: [new EndpointError('down', { status: 500 })] });
    await expect(prepared.run(record('q?'), contextFor(failing))).rejects.toThrow('down');
  });
});
