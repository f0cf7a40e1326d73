/**
 * `--system TEXT`: the run's own system instruction. It replaces the system message the template renders,
 * or comes first when the template has none, so one flag tries another instruction without editing the
 * file. The wrapped template renders everything else as before (demonstrations included).
 */
import type { ChatMessage } from '../core/chat-client.js';
import type { LoadedTemplate } from './load-template.js';

export function withSystemMessage(template: LoadedTemplate, system: string): LoadedTemplate {
  return {
    ...template,
    render: async (vars, recordLabel) => replaceSystemMessage(await template.render(vars, recordLabel), system),
  };
}

/** The messages with every system message dropped and `system` put first. */
export function replaceSystemMessage(messages: readonly ChatMessage[], system: string): ChatMessage[] {
  return [{ role: 'system', content: system }, ...messages.filter((message) => message.role !== 'system')];
}
