import { describe, expect, it } from 'vitest';
import { truncationWarnings, type CutReply } from '../../src/strategies/truncation-note.js';

const cut = (tokens: number | null): CutReply => ({ finishReason: 'length', tokens });
const stopped: CutReply = { finishReason: 'stop', tokens: 12 };

describe('truncationWarnings names the limit each cut reply hit', () => {
  it.each<[string, CutReply[], number | null, string[]]>([
    ['nothing cut', [stopped, stopped], 32, []],
    [
      'one reply at --max-tokens',
      [cut(32)],
      32,
      ['the reply hit --max-tokens 32 (finish_reason: length); raise --max-tokens'],
    ],
    [
      'samples cut by the context at different lengths',
      [cut(8), stopped, cut(11)],
      32,
      [
        '2 of 3 replies stopped at 8 to 11 tokens, below --max-tokens 32 (finish_reason: length): the server ran out of context for prompt and reply; shorten the prompt or give the server a larger context',
      ],
    ],
    [
      'samples of one request (their tokens unknown), and one at the limit',
      [cut(null), cut(null), cut(32)],
      32,
      [
        '1 of 3 replies hit --max-tokens 32 (finish_reason: length); raise --max-tokens',
        '2 of 3 replies hit a token limit (finish_reason: length): --max-tokens 32, or the server’s context if that ran out first; raise --max-tokens or shorten the prompt',
      ],
    ],
    [
      'no --max-tokens sent, tokens partly unknown',
      [cut(null), cut(7)],
      null,
      [
        '2 of 2 replies stopped at the server’s own limit (finish_reason: length; no --max-tokens was sent): its context, or its default reply length (llama-server -n, Ollama num_predict); pass --max-tokens or raise the server’s limit',
      ],
    ],
  ])('%s', (_name, replies, maxTokens, warnings) => {
    expect(truncationWarnings(replies, maxTokens)).toEqual(warnings);
  });
});
