/**
 * Demonstrations (input → output pairs, optionally with a worked `reasoning`) and how they enter the
 * conversation: as prior user/assistant turns (chat-native, the default) or inline in one message as
 * `Q: … A: …` blocks, the form of the original papers.
 */
import type { ChatMessage } from '../core/chat-client.js';
import type { LoadedTemplate } from '../templates/load-template.js';

export interface Demonstration {
  id: string | null;
  /** A string fills the template's main variable; an object holds all of the template's variables. */
  input: string | Record<string, unknown>;
  output: string;
  reasoning: string | null;
  /** file:line, for error messages. */
  source: string;
}

export type DemoFormat = 'turns' | 'inline';

/**
 * The demonstrations a template carries in its front matter (`demonstrations:` under `promptlab:`), as
 * strategies use them when no --examples file is given; empty when it carries none.
 */
export function templateDemonstrations(template: LoadedTemplate): Demonstration[] {
  return (template.settings.demonstrations ?? []).map((demo, index) => ({
    id: demo.id ?? null,
    input: demo.input,
    output: demo.output,
    reasoning: demo.reasoning ?? null,
    source: `template "${template.name}" demonstration ${index + 1}`,
  }));
}

/** The text a demonstration's input renders to, the way the template would render a record. */
export function demonstrationVars(demo: Demonstration, template: LoadedTemplate): Record<string, unknown> {
  if (typeof demo.input !== 'string') return demo.input;
  const vars: Record<string, unknown> = { input: demo.input };
  // A template whose only variable is, say, `question` still takes string inputs.
  if (template.variables.length === 1) vars[template.variables[0]!] = demo.input;
  return vars;
}

export function demonstrationText(demo: Demonstration): string {
  return typeof demo.input === 'string' ? demo.input : Object.values(demo.input).map(String).join('\n');
}

/** The question text a demonstration contributes: the last user message its rendering produces. */
export async function renderDemonstrationQuestion(demo: Demonstration, template: LoadedTemplate): Promise<string> {
  const messages = await template.render(demonstrationVars(demo, template), demo.source);
  return lastUserContent(messages);
}

export function lastUserContent(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]!.role === 'user') return messages[index]!.content;
  }
  return '';
}

export interface DemonstrationTurn {
  question: string;
  answer: string;
}

/**
 * Puts demonstrations before the final user message. The order given is kept, so callers put the most
 * similar demonstration last, closest to the question.
 */
export function withDemonstrations(
  messages: readonly ChatMessage[],
  turns: readonly DemonstrationTurn[],
  format: DemoFormat,
): ChatMessage[] {
  if (turns.length === 0) return [...messages];
  const lastUser = findLastUserIndex(messages);
  const before = messages.slice(0, lastUser);
  const question = messages[lastUser]?.content ?? '';
  const after = messages.slice(lastUser + 1);
  if (format === 'inline') {
    const blocks = turns.map((turn) => `Q: ${turn.question}\nA: ${turn.answer}`);
    return [...before, { role: 'user', content: `${blocks.join('\n\n')}\n\nQ: ${question}\nA:` }, ...after];
  }
  const demoMessages = turns.flatMap((turn): ChatMessage[] => [
    { role: 'user', content: turn.question },
    { role: 'assistant', content: turn.answer },
  ]);
  return [...before, ...demoMessages, { role: 'user', content: question }, ...after];
}

/** Appends text (a reasoning trigger) to the final user message. */
export function appendToLastUser(messages: readonly ChatMessage[], text: string): ChatMessage[] {
  const lastUser = findLastUserIndex(messages);
  return messages.map((message, index) =>
    index === lastUser
      ? {
          role: message.role,
          content: message.content.endsWith('A:') ? `${message.content} ${text}` : `${message.content}\n\n${text}`,
        }
      : message,
  );
}

function findLastUserIndex(messages: readonly ChatMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]!.role === 'user') return index;
  }
  return messages.length;
}
