import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/chat-client.js';
import { replaceSystemMessage } from '../../src/templates/system-message.js';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const system = (content: string): ChatMessage => ({ role: 'system', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

describe('replaceSystemMessage', () => {
  it.each<[string, ChatMessage[], ChatMessage[]]>([
    ['comes first when there is none', [user('q')], [system('S'), user('q')]],
    ['replaces the one there is', [system('old'), user('q')], [system('S'), user('q')]],
    [
      'replaces every one, keeping the turns',
      [system('a'), user('q1'), assistant('a1'), system('b'), user('q')],
      [system('S'), user('q1'), assistant('a1'), user('q')],
    ],
    ['is the only message of an empty render', [], [system('S')]],
  ])('%s', (_, messages, expected) => {
    expect(replaceSystemMessage(messages, 'S')).toEqual(expected);
  });
});
