/**
 * Parsing a `.prompt` file (text in, data out): front matter validated with zod (front-matter-schema.ts,
 * loaded only when the front matter sets something to check), the body parsed into a Handlebars syntax tree
 * so syntax errors surface when the template is loaded, with the file line, rather than on the first record.
 */
import Handlebars from 'handlebars';
import { TemplateError } from '../errors.js';
import type { TemplateMetadata } from './front-matter-schema.js';
import {
  describeLocation,
  readFrontMatter,
  settingsKey,
  type FrontMatter,
  type SourceIdentity,
} from './front-matter.js';
import type { TemplateSettings } from './template-settings.js';
import { findUnknownHelperCall, helperNames, type TemplateSyntaxTree } from './template-variables.js';

export interface ParsedBody {
  body: string;
  /** File line of the body's first line: Handlebars counts lines from the body. */
  bodyStartLine: number;
  tree: TemplateSyntaxTree;
}

export interface ParsedTemplate extends ParsedBody {
  identity: SourceIdentity;
  description: string | null;
  settings: TemplateSettings;
  /** `input.default`: values used for variables a record does not give. */
  defaults: Record<string, unknown>;
  /** `input.schema` as written (Picoschema or JSON Schema), or null when the template declares none. */
  inputSchema: unknown;
  /** File line of `input.schema`, for errors about it. */
  inputSchemaLine: number | null;
}

export async function parseTemplate(source: string, identity: SourceIdentity): Promise<ParsedTemplate> {
  const frontMatter = readFrontMatter(source, identity);
  const metadata =
    describedOnly(frontMatter.metadata) ??
    (await import('./front-matter-schema.js')).validateFrontMatter(frontMatter, identity);
  return {
    identity,
    ...metadata,
    inputSchemaLine: metadata.inputSchema === null ? null : frontMatter.lineOf(['input', 'schema']),
    ...parseBody(frontMatter, identity),
  };
}

/**
 * Front matter that sets neither `input` nor promptlab's settings, and at most a text description, reads
 * exactly as the schema would read it; null when there is something for the schema to check.
 */
function describedOnly(metadata: Record<string, unknown>): TemplateMetadata | null {
  if (Object.hasOwn(metadata, 'input') || Object.hasOwn(metadata, settingsKey)) return null;
  const description = metadata.description ?? null;
  if (description !== null && typeof description !== 'string') return null;
  return { description, settings: {}, defaults: {}, inputSchema: null };
}

/** A partial (`_name.prompt`) is Handlebars only, as Dotprompt's other implementations read it: no front matter. */
export function parsePartial(source: string, identity: SourceIdentity): ParsedBody {
  return parseBody({ body: source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), bodyStartLine: 1 }, identity);
}

function parseBody(
  { body, bodyStartLine }: Pick<FrontMatter, 'body' | 'bodyStartLine'>,
  identity: SourceIdentity,
): ParsedBody {
  let tree: TemplateSyntaxTree;
  try {
    tree = Handlebars.parse(body);
  } catch (error) {
    throw handlebarsSyntaxError(error, bodyStartLine, identity);
  }
  const unknownHelper = findUnknownHelperCall(tree);
  if (unknownHelper !== null) {
    const line = bodyStartLine + unknownHelper.line - 1;
    throw new TemplateError(
      `${describeLocation(identity, line)}: unknown helper "${unknownHelper.name}" (Dotprompt templates can use only ${[...helperNames].join(', ')})`,
    );
  }
  return { body, bodyStartLine, tree };
}

/**
 * Handlebars reports parse errors over several lines ("Parse error on line 3:", the source excerpt, a caret,
 * the expected tokens) and other syntax errors as "message - line:column"; both become one line here.
 */
export function handlebarsSyntaxError(error: unknown, bodyStartLine: number, identity: SourceIdentity): TemplateError {
  const message = error instanceof Error ? error.message : String(error);
  const parseError = /^(?:Parse|Lexical) error on line (\d+)[:.]/.exec(message);
  if (parseError !== null) {
    const excerpt = message.split('\n')[1]?.trim();
    const line = bodyStartLine + Number(parseError[1]) - 1;
    const near = excerpt === undefined || excerpt === '' ? '' : ` near "${excerpt}"`;
    return new TemplateError(`${describeLocation(identity, line)}: Handlebars syntax error${near}`, { cause: error });
  }
  const located = /^(.*) - (\d+):\d+$/s.exec(message);
  if (located !== null) {
    const line = bodyStartLine + Number(located[2]) - 1;
    return new TemplateError(`${describeLocation(identity, line)}: Handlebars error: ${oneLine(located[1]!)}`, {
      cause: error,
    });
  }
  return new TemplateError(`${describeLocation(identity, null)}: Handlebars error: ${oneLine(message)}`, {
    cause: error,
  });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
