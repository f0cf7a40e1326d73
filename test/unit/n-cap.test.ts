import { describe, expect, it } from 'vitest';
import { nCapFromMessage } from '../../src/core/n-cap.js';

describe('nCapFromMessage reads the cap on n from a server’s 400', () => {
  it.each<[string, number | null]>([
    ["Field 'n': Value must be between 1 <= value <= 4, but got 8", 4],
    ["Invalid 'n': integer above maximum value. Expected a value <= 128, but got 200 instead.", 128],
    ['n must be at most 128, got 200', 128],
    ["'n' > 1 is not supported", 1],
    ['`n` must be 1 when using this model', 1],
    ['n: maximum allowed is 16', 16],
    ['the value of n must be less than or equal to 8', 8],
    // No number: the caller halves.
    ["'n' is larger than this server supports", null],
    // Numbers, but not about n: a context-length 400 must not set the run's n.
    ["This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", null],
    ['max_tokens must be at most 2048', null],
    ['Unknown parameter: seed', null],
  ])('%s → %s', (message, cap) => {
    expect(nCapFromMessage(message)).toBe(cap);
  });
});
