/**
 * Rendering a parsed template into chat messages with the `dotprompt` package (pure: no I/O). Each template
 * is compiled once; the returned function is called per record and first checks that the record gives every
 * variable the template needs, naming all the missing ones at once.
 *
 * This module is the only one that imports `dotprompt`; load-template.ts imports it lazily, so commands that
 * never render (and `--help`) do not pay for loading it.
 */
import { randomUUID } from 'node:crypto';
import { Dotprompt, picoschema, type Message, type ParsedPrompt } from 'dotprompt';
import type Handlebars from 'handlebars';
import type { ChatMessage, ChatRole } from '../core/chat-client.js';
import { TemplateError } from '../errors.js';
import { describeLocation, type SourceIdentity } from './front-matter.js';
import { handlebarsSyntaxError, type ParsedTemplate } from './parse-template.js';
import { collectTemplateVariables, type TemplateSyntaxTree } from './template-variables.js';

export type RenderMessages = (vars: Record<string, unknown>, recordLabel: string) => Promise<ChatMessage[]>;

export interface CompileTemplateInput {
  template: ParsedTemplate;
  /** Partial bodies by the name `{{> name}}` uses. */
  partials: ReadonlyMap<string, string>;
  /** Variables a record must give once defaults are applied (see `requiredVariablesOf`). */
  requiredVariables: readonly string[];
}

const chatRoles: Record<string, ChatRole> = { system: 'system', user: 'user', model: 'assistant' };

/**
 * The variables a record must give: the `required` fields of `input.schema` when the template declares one
 * (Picoschema `name: string` is required, `name?: string` is not), else the variables its Handlebars body
 * and partials use outside conditional blocks.
 */
export async function requiredVariablesOf(
  template: ParsedTemplate,
  partialTrees: ReadonlyMap<string, TemplateSyntaxTree>,
): Promise<string[]> {
  if (template.inputSchema === null) return collectTemplateVariables(template.tree, partialTrees).required;
  let jsonSchema: unknown;
  try {
    jsonSchema = await picoschema(template.inputSchema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TemplateError(
      `${describeLocation(template.identity, template.inputSchemaLine)}: input.schema: ${message}`,
      { cause: error },
    );
  }
  const required = (jsonSchema as { required?: unknown } | null)?.required;
  return Array.isArray(required) ? required.filter((name): name is string => typeof name === 'string') : [];
}

/** Defaults first, then the record's values; a null value counts as absent, so the default still applies. */
export function withDefaults(
  defaults: Record<string, unknown>,
  vars: Record<string, unknown>,
): Record<string, unknown> {
  // fromEntries defines own properties, so a record key like "__proto__" stays data.
  return Object.fromEntries([
    ...Object.entries(defaults),
    ...Object.entries(vars).filter(([, value]) => value !== undefined && value !== null),
  ]);
}

/** Every required variable that `values` lacks (undefined or null), in the template's order. */
export function findMissingVariables(required: readonly string[], values: Record<string, unknown>): string[] {
  return required.filter((name) => !Object.hasOwn(values, name) || values[name] === undefined || values[name] === null);
}

/** `record data.jsonl:3` for a dataset's record; what gave the variables otherwise (`the command line`, `the input`). */
const describeRecord = (recordLabel: string): string =>
  /:\d+$/.test(recordLabel) ? `record ${recordLabel}` : recordLabel;

/** Throws the TemplateError naming the template, the record and every required variable it lacks (after defaults). */
export function checkRequiredVariables(
  template: Pick<ParsedTemplate, 'identity' | 'defaults'>,
  requiredVariables: readonly string[],
  vars: Record<string, unknown>,
  recordLabel: string,
): void {
  const missing = findMissingVariables(requiredVariables, withDefaults(template.defaults, vars));
  if (missing.length > 0) {
    throw new TemplateError(
      `${describeLocation(template.identity, null)}: ${describeRecord(recordLabel)} is missing variable(s): ${missing.join(', ')}`,
    );
  }
}

export async function compileTemplate({
  template,
  partials,
  requiredVariables,
}: CompileTemplateInput): Promise<RenderMessages> {
  const dotprompt = createIsolatedDotprompt();
  for (const [name, body] of partials) dotprompt.definePartial(name, body);
  // Only the body and description: Dotprompt re-resolves the metadata it is given on every render, and
  // promptlab has already read the rest (input defaults and schema) once, at load.
  const prompt: ParsedPrompt = {
    template: template.body,
    ...(template.description === null ? {} : { description: template.description }),
  };
  const promptFunction = await dotprompt.compile(prompt);
  const markers = createMarkerDisguise();
  const where = describeLocation(template.identity, null);

  const renderValues = async (values: Record<string, unknown>): Promise<ChatMessage[]> => {
    const rendered = await promptFunction({ input: markers.disguise(values) as Record<string, unknown> });
    return toChatMessages(rendered.messages, template.identity, markers.restore);
  };

  // Handlebars compiles on first use; rendering once now turns compile errors (an unknown helper, an
  // unsupported role) into load-time errors that name the file, instead of an error on every record.
  try {
    await renderValues(template.defaults);
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw handlebarsSyntaxError(error, template.bodyStartLine, template.identity);
  }

  return async (vars, recordLabel) => {
    checkRequiredVariables(template, requiredVariables, vars, recordLabel);
    const values = withDefaults(template.defaults, vars);
    try {
      return await renderValues(values);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new TemplateError(`${where}: ${describeRecord(recordLabel)}: ${message.replace(/\s*\n\s*/g, ' ')}`, {
        cause: error,
      });
    }
  };
}

/**
 * Dotprompt's messages → ChatMessage[]: `model` becomes `assistant`, the text parts of a message are joined,
 * surrounding whitespace (the newlines around `{{role}}` markers) is trimmed, and empty messages are dropped.
 */
export function toChatMessages(
  messages: Message[],
  identity: SourceIdentity,
  restoreText: (text: string) => string = (text) => text,
): ChatMessage[] {
  const chatMessages: ChatMessage[] = [];
  for (const message of messages) {
    let text = '';
    for (const part of message.content) {
      if (part.media !== undefined) {
        throw new TemplateError(
          `${describeLocation(identity, null)}: {{media}} parts are not supported: promptlab sends text chat messages`,
        );
      }
      // Other parts ({{section}} placeholders, tool parts) carry no text for a chat completion.
      if (typeof part.text === 'string') text += part.text;
    }
    const content = restoreText(text).trim();
    if (content === '') continue;
    const role = chatRoles[message.role];
    if (role === undefined) {
      throw new TemplateError(
        `${describeLocation(identity, null)}: role "${message.role}" is not supported (use system, user or model)`,
      );
    }
    chatMessages.push({ role, content });
  }
  return chatMessages;
}

/**
 * Dotprompt 1.x registers partials on one Handlebars instance shared by the whole process, so two templates
 * from different directories with a `_header.prompt` each would render each other's header. Each template
 * gets its own Handlebars environment instead, carrying Dotprompt's helpers. This reaches into a private
 * field; a unit test ("partials of two directories") fails if a Dotprompt release changes it.
 */
function createIsolatedDotprompt(): Dotprompt {
  const dotprompt = new Dotprompt();
  const internals = dotprompt as unknown as { handlebars?: typeof Handlebars };
  const shared = internals.handlebars;
  if (shared === undefined || typeof shared.create !== 'function') return dotprompt;
  const isolated = shared.create();
  for (const [name, helper] of Object.entries(shared.helpers)) {
    if (!(name in isolated.helpers)) isolated.registerHelper(name, helper);
  }
  internals.handlebars = isolated;
  return dotprompt;
}

const markerPrefix = '<<<dotprompt:';

/**
 * Values are data. Dotprompt splits the rendered text at its own markers (`<<<dotprompt:role:system>>>`),
 * so a record whose text contained one would switch roles. String values have the marker prefix swapped
 * for a token unique to this compiled template before rendering, and restored in the message text after.
 */
function createMarkerDisguise(): { disguise(value: unknown): unknown; restore(text: string): string } {
  const token = `\uE000${randomUUID()}\uE001`;
  const disguise = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes(markerPrefix) ? value.replaceAll(markerPrefix, token) : value;
    if (Array.isArray(value)) return value.map(disguise);
    if (value !== null && typeof value === 'object') {
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, disguise(item)]));
    }
    return value;
  };
  return {
    disguise,
    restore: (text) => (text.includes(token) ? text.replaceAll(token, markerPrefix) : text),
  };
}
