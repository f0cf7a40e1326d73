import { describe, expect, it } from 'vitest';
import {
  adaptConcurrency,
  initialConcurrency,
  nextConcurrency,
  observeSuccesses,
  type ConcurrencyEvent,
  type ConcurrencyState,
} from '../../src/core/adaptive-concurrency.js';
import type { ChatClient } from '../../src/core/chat-client.js';
import { Semaphore } from '../../src/core/limit-concurrency.js';

/** `T` = a throttled response, `S` = a success; e.g. "TT SSSS" (spaces are for reading). */
function replay(max: number, events: string): ConcurrencyState {
  let state = initialConcurrency(max);
  for (const letter of events.replaceAll(' ', ''))
    state = nextConcurrency(state, (letter === 'T' ? 'throttled' : 'succeeded') as ConcurrencyEvent);
  return state;
}

const repeat = (letter: string, times: number) => letter.repeat(times);

describe('nextConcurrency', () => {
  it.each([
    { max: 16, events: '', limit: 16, lowest: 16, throttled: 0, why: 'starts at -c' },
    { max: 16, events: 'T', limit: 16, lowest: 16, throttled: 1, why: 'one 429 alone changes nothing' },
    { max: 16, events: 'TT', limit: 8, lowest: 8, throttled: 2, why: 'a second one halves the limit' },
    { max: 16, events: 'T S T', limit: 8, lowest: 8, throttled: 2, why: 'successes in between do not excuse it' },
    {
      max: 16,
      events: repeat('T', 16),
      limit: 8,
      lowest: 8,
      throttled: 16,
      why: 'a burst from requests already in flight halves once',
    },
    {
      max: 16,
      events: `TT ${repeat('S', 15)} TT`,
      limit: 8,
      lowest: 8,
      throttled: 4,
      why: 'answers to requests sent before the halving do not halve again',
    },
    {
      max: 16,
      events: `TT ${repeat('S', 16)} TT`,
      limit: 4,
      lowest: 4,
      throttled: 4,
      why: 'throttling after that cooldown halves again',
    },
    {
      max: 16,
      events: `TT ${repeat('S', 16)} ${repeat('S', 7)}`,
      limit: 8,
      lowest: 8,
      throttled: 2,
      why: 'fewer successes than the limit: no growth',
    },
    {
      max: 16,
      events: `TT ${repeat('S', 16)} ${repeat('S', 8)}`,
      limit: 9,
      lowest: 8,
      throttled: 2,
      why: 'a window of successes adds one',
    },
    {
      max: 16,
      events: `TT ${repeat('S', 200)}`,
      limit: 16,
      lowest: 8,
      throttled: 2,
      why: 'and grows back to -c, never past it',
    },
    { max: 2, events: 'TT', limit: 1, lowest: 1, throttled: 2, why: 'floor of one' },
    { max: 2, events: 'TT TTTT', limit: 1, lowest: 1, throttled: 6, why: 'stays at one' },
    { max: 1, events: 'TT SSSS', limit: 1, lowest: 1, throttled: 2, why: '-c 1 never moves' },
    { max: 2, events: 'TT SS SSS', limit: 1, lowest: 1, throttled: 2, why: 'at least four successes before growing' },
    { max: 2, events: 'TT SS SSSS', limit: 2, lowest: 1, throttled: 2, why: 'then one more' },
  ])('-c $max after "$events": limit $limit ($why)', ({ max, events, limit, lowest, throttled }) => {
    const state = replay(max, events);
    expect({ limit: state.limit, lowest: state.lowest, throttled: state.throttled }).toEqual({
      limit,
      lowest,
      throttled,
    });
  });

  it('never leaves 1..max', () => {
    let state = initialConcurrency(8);
    let seed = 7;
    for (let step = 0; step < 5000; step++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      state = nextConcurrency(state, seed % 5 === 0 ? 'throttled' : 'succeeded');
      expect(state.limit).toBeGreaterThanOrEqual(1);
      expect(state.limit).toBeLessThanOrEqual(8);
    }
  });
});

describe('adaptConcurrency', () => {
  it('moves the semaphore limit and reports the throttling', () => {
    const semaphore = new Semaphore(16);
    const throttling = adaptConcurrency(semaphore);
    throttling.throttled();
    throttling.throttled();
    expect(semaphore.limit).toBe(8);
    for (let index = 0; index < 16; index++) throttling.succeeded();
    expect(semaphore.limit).toBe(8); // the answers to requests sent under the old limit
    for (let index = 0; index < 8; index++) throttling.succeeded();
    expect(semaphore.limit).toBe(9);
    expect(throttling.report()).toEqual({ throttled: 2, minConcurrency: 8 });
  });

  it('holds requests beyond a lowered limit until enough are done', async () => {
    const semaphore = new Semaphore(4);
    await Promise.all([semaphore.acquire(), semaphore.acquire(), semaphore.acquire()]);
    semaphore.setLimit(2);
    let acquired = false;
    const waiting = semaphore.acquire().then(() => (acquired = true));
    semaphore.release();
    await Promise.resolve();
    expect(acquired).toBe(false); // 2 active, limit 2
    semaphore.release();
    await waiting;
    expect(acquired).toBe(true);
  });
});

describe('observeSuccesses', () => {
  it('counts calls that came back, not calls that failed', async () => {
    let successes = 0;
    let fail = false;
    const inner: ChatClient = {
      model: 'm',
      chat: async () => {
        if (fail) throw new Error('boom');
        return {
          choices: [{ text: 'x', finishReason: 'stop' }],
          usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
          requests: 1,
        };
      },
      embed: async () => ({
        vectors: [],
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        requests: 1,
      }),
    };
    const client = observeSuccesses(inner, () => successes++);
    await client.chat({ messages: [], temperature: 0 });
    await client.embed(['a']);
    fail = true;
    await expect(client.chat({ messages: [], temperature: 0 })).rejects.toThrow('boom');
    expect(successes).toBe(2);
  });
});
