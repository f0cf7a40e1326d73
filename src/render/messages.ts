import type { ChatMessage } from '../core/chat-client.js';

/** Rendered messages as a person reads them (`--dry-run`, `templates render`): a heading, then each role and its text. */
export function formatMessages(id: string, messages: readonly ChatMessage[]): string {
  const blocks = messages.map((message) => `[${message.role}]\n${message.content}`);
  return [`# ${id}`, ...blocks, ''].join('\n');
}
