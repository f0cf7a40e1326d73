import { describe, expect, it } from 'vitest';
import type { ChatChoice, Usage } from '../../src/core/chat-client.js';
import { checkChoiceUsage } from '../../src/core/choice-usage.js';

const text = (characters: number, finishReason = 'stop'): ChatChoice => ({
  text: 'x'.repeat(characters),
  finishReason,
});
const usage = (completionTokens: number): Usage => ({
  promptTokens: 10,
  completionTokens,
  totalTokens: 10 + completionTokens,
});

describe('checkChoiceUsage', () => {
  it.each<[string, ChatChoice[], Usage, number | null, Usage, boolean]>([
    ['one choice: nothing to check', [text(400)], usage(3), null, usage(3), false],
    ['every choice counted', [text(40), text(40), text(40)], usage(30), null, usage(30), false],
    ['no usage reported: left at zero', [text(40), text(40)], usage(0), null, usage(0), false],
    // llama-server: three choices cut at --max-tokens 24, one counted.
    [
      'cut choices counted once',
      [text(96, 'length'), text(96, 'length'), text(96, 'length')],
      usage(24),
      24,
      usage(72),
      true,
    ],
    // Five replies of 48 characters (about 12 tokens each), one counted: at least 5 × 8 = 40 were spent.
    ['long texts counted once', Array.from({ length: 5 }, () => text(48)), usage(12), null, usage(60), true],
  ])('%s', (_name, choices, reported, maxTokens, expected, estimated) => {
    expect(checkChoiceUsage(choices, reported, maxTokens)).toEqual({ usage: expected, estimated });
  });
});
