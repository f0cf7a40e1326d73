import { describe, expect, it } from 'vitest';
import { chatCompletionBody } from '../../src/core/chat-completion-request.js';
import { oneLine, redact, redactSecrets } from '../../src/core/redact.js';
import { batchRequestLine } from '../../src/batch/request-lines.js';

describe('redact', () => {
  it.each([
    ['key sk-live-12345678 in text', ['sk-live-12345678'], 'key *** in text'],
    ['Authorization: Bearer abc.def-ghi, then more', [], 'Authorization: Bearer ***, then more'],
    ['bearer\ttoken-1 twice sk-a sk-a', ['sk-a'], 'Bearer *** twice *** ***'],
    ['no secret here', [null, ''], 'no secret here'],
  ])('%j → %j', (text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });

  it('keeps line breaks when only secrets are removed (a --debug stack stays readable)', () => {
    expect(redactSecrets('first sk-x-123\n    at second', ['sk-x-123'])).toBe('first ***\n    at second');
  });

  it.each([
    ['  a\n\n b\tc  ', Infinity, 'a b c'],
    ['abcdef', 4, 'abc…'],
    ['abcd', 4, 'abcd'],
  ])('oneLine(%j, %s) → %j', (text, limit, expected) => {
    expect(oneLine(text, limit)).toBe(expected);
  });
});

describe('chatCompletionBody', () => {
  const messages = [{ role: 'user' as const, content: 'q' }];
  it.each([
    [
      { messages, temperature: 0 },
      { model: 'm', messages, temperature: 0 },
    ],
    [
      { messages, temperature: 0.7, maxTokens: 9, seed: 3, n: 5, stop: ['\n'] },
      { model: 'm', messages, temperature: 0.7, max_tokens: 9, seed: 3, n: 5, stop: ['\n'] },
    ],
    // n only when more than one choice is wanted, stop only when it holds something.
    [
      { messages, temperature: 0, n: 1, stop: [] },
      { model: 'm', messages, temperature: 0 },
    ],
  ])('%j → %j', (request, body) => {
    expect(chatCompletionBody('m', request)).toEqual(body);
  });

  it('is the body of a batch line, field for field', () => {
    const request = { messages, temperature: 0.5, maxTokens: 4, seed: 1, n: 3 };
    expect(batchRequestLine('id', 'm', request).body).toEqual(chatCompletionBody('m', request));
  });
});
