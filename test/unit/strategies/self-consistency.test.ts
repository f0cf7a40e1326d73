import { describe, expect, it } from 'vitest';
import { createFakeChatClient } from '../../support/fake-chat-client.js';
import { contextFor, prepareFor, record } from '../../support/strategy-harness.js';

const says = (answers: number[]) => answers.map((answer) => `So it is ${answer}. The answer is ${answer}.`);

describe('self-consistency', () => {
  it('asks for k samples in one request where n is honoured, and votes', async () => {
    const client = createFakeChatClient({ replies: says([7, 7, 8, 7, 8]) });
    const prepared = await prepareFor('self-consistency', {});
    const outcome = await prepared.run(record('q?'), contextFor(client, { temperature: 0.7, seed: 1 }));
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]).toMatchObject({ n: 5, temperature: 0.7, sampleIndex: 0 });
    expect(outcome).toMatchObject({ answer: '7', votes: { '7': 3, '8': 2 }, agreement: 0.6, samplesUsed: 5 });
  });

  it('fetches the samples one by one, each with its own seed, where n is ignored', async () => {
    const client = createFakeChatClient({ n: 'ignore', replies: says([1, 2, 2]) });
    const prepared = await prepareFor('self-consistency', { samples: '3' });
    const outcome = await prepared.run(record('q?'), contextFor(client, { temperature: 0.7, seed: 5 }));
    expect(client.calls.map((call) => call.n)).toEqual([3, 1, 1]);
    expect(new Set(client.calls.map((call) => call.seed)).size).toBe(3);
    expect(outcome).toMatchObject({ answer: '2', samplesUsed: 3, requests: 3 });
  });

  it('stops at the first unanimous window with --stop esc, drawing a window at a time', async () => {
    const client = createFakeChatClient({ replies: says([4, 5, 4, 4]) });
    const prepared = await prepareFor('self-consistency', { samples: '8', stop: 'esc', window: '2' });
    const outcome = await prepared.run(record('q?'), contextFor(client, { temperature: 0.7 }));
    expect(client.calls.map((call) => [call.n, call.sampleIndex])).toEqual([
      [2, 0],
      [2, 2],
    ]);
    expect(outcome).toMatchObject({ answer: '4', samplesUsed: 4, details: { stop: 'esc' } });
    expect(client.pending).toBe(0);
  });

  it('says when a tie was broken and when samples at T > 0 are byte-identical', async () => {
    const tied = await (await prepareFor('self-consistency', { samples: '2' })).run(
      record('q?'),
      contextFor(createFakeChatClient({ replies: says([1, 2]) }), { temperature: 0.7 }),
    );
    expect(tied.warnings).toEqual(['tie between 1, 2: broken in favour of the earliest sampled answer (1)']);
    const identical = await (await prepareFor('self-consistency', { samples: '3' })).run(
      record('q?'),
      contextFor(createFakeChatClient({ replies: says([3, 3, 3]) }), { temperature: 0.7 }),
    );
    expect(identical.warnings[0]).toMatch(/all 3 samples are byte-identical at temperature 0.7/);
  });
});
