/**
 * The front matter a template gives promptlab, validated with zod. Loaded by parse-template.ts only for
 * front matter that sets something to check (`input`, `promptlab` settings, a description that is not
 * text): a template with a description at most needs no schema, and its runs start without zod.
 */
import { z } from 'zod';
import { TemplateError } from '../errors.js';
import { describeLocation, settingsKey, type FrontMatter, type SourceIdentity } from './front-matter.js';
import { knownSettingNames, templateSettingsSchema, type TemplateSettings } from './template-settings.js';

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

export interface TemplateMetadata {
  description: string | null;
  settings: TemplateSettings;
  defaults: Record<string, unknown>;
  inputSchema: unknown;
}

/** What the front matter says for promptlab; a TemplateError naming the file line when it is not valid. */
export function validateFrontMatter(frontMatter: FrontMatter, identity: SourceIdentity): TemplateMetadata {
  const parsed = frontMatterSchema.safeParse(frontMatter.metadata);
  if (!parsed.success) throw frontMatterError(parsed.error.issues[0]!, frontMatter, identity);
  const { description, input } = parsed.data;
  return {
    description: description ?? null,
    settings: parsed.data[settingsKey] ?? {},
    defaults: input?.default ?? {},
    inputSchema: input?.schema ?? null,
  };
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
