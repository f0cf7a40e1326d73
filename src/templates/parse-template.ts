/**
 * Parsing a `.prompt` file (pure: text in, data out): front matter validated with zod, the body parsed into
 * a Handlebars syntax tree so syntax errors surface when the template is loaded, with the file line, rather
 * than on the first record.
 */
import Handlebars from 'handlebars';
import { z } from 'zod';
import { TemplateError } from '../errors.js';
import { describeLocation, readFrontMatter, type FrontMatter, type SourceIdentity } from './front-matter.js';
import { knownSettingNames, settingsKey, templateSettingsSchema, type TemplateSettings } from './template-settings.js';
import { findUnknownHelperCall, helperNames, type TemplateSyntaxTree } from './template-variables.js';

/**
 * The front-matter keys promptlab reads. Loose: every other Dotprompt key (model, config, output, tools,
 * dotted extension keys, ...) belongs to Dotprompt and other tools, and must not be an error here.
 */
const frontMatterSchema = z.looseObject({
  description: z.string().nullable().optional(),
  input: z
    .looseObject({
      default: z.record(z.string(), z.unknown()).nullable().optional(),
      schema: z.unknown().optional(),
    })
    .nullable()
    .optional(),
  [settingsKey]: templateSettingsSchema.nullable().optional(),
});

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

export function parseTemplate(source: string, identity: SourceIdentity): ParsedTemplate {
  const frontMatter = readFrontMatter(source, identity);
  const parsed = frontMatterSchema.safeParse(frontMatter.metadata);
  if (!parsed.success) throw frontMatterError(parsed.error.issues[0]!, frontMatter, identity);
  const { description, input } = parsed.data;
  const inputSchema = input?.schema ?? null;
  return {
    identity,
    description: description ?? null,
    settings: parsed.data[settingsKey] ?? {},
    defaults: input?.default ?? {},
    inputSchema,
    inputSchemaLine: inputSchema === null ? null : frontMatter.lineOf(['input', 'schema']),
    ...parseBody(frontMatter, identity),
  };
}

/** A partial (`_name.prompt`) is Handlebars only, as Dotprompt's other implementations read it: no front matter. */
export function parsePartial(source: string, identity: SourceIdentity): ParsedBody {
  return parseBody({ body: source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), bodyStartLine: 1 }, identity);
}

function parseBody({ body, bodyStartLine }: Pick<FrontMatter, 'body' | 'bodyStartLine'>, identity: SourceIdentity): ParsedBody {
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

function frontMatterError(issue: z.core.$ZodIssue, frontMatter: FrontMatter, identity: SourceIdentity): TemplateError {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys' && path[0] === settingsKey) {
    const key = issue.keys[0] ?? '';
    const line = frontMatter.lineOfKey(path, key);
    return new TemplateError(
      `${describeLocation(identity, line)}: unknown ${settingsKey} setting "${key}" (known: ${knownSettingNames.join(', ')})`,
    );
  }
  const line = frontMatter.lineOf(path);
  const where = path.length === 0 ? 'front matter' : path.join('.');
  return new TemplateError(`${describeLocation(identity, line)}: ${where}: ${issue.message}`);
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
    return new TemplateError(`${describeLocation(identity, line)}: Handlebars error: ${oneLine(located[1]!)}`, { cause: error });
  }
  return new TemplateError(`${describeLocation(identity, null)}: Handlebars error: ${oneLine(message)}`, { cause: error });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
