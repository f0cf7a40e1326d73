/**
 * Splits a `.prompt` file into its YAML front matter and its Handlebars body, and parses the YAML.
 * We do this ourselves rather than through `Dotprompt.parse`, which logs YAML errors to the console and
 * carries on with the whole file as the template; a user needs one error line naming the file and line.
 * The split follows Dotprompt's rule: the file starts with a `---` line and the front matter ends at the
 * next `---` line.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { TemplateError } from '../errors.js';

/** The front-matter key that holds promptlab's settings (template-settings.ts). */
export const settingsKey = 'promptlab';

/** Names what is being read in error messages, e.g. `template "math" (prompts/math.prompt)`. */
export interface SourceIdentity {
  /** What it is: `template "math"` or `partial "header" of template "math"`. */
  subject: string;
  /** The file as the user should see it (relative to the working directory when inside it). */
  file: string;
}

/** `template "math" (prompts/math.prompt:4)`: the prefix of every error about a file. */
export function describeLocation(identity: SourceIdentity, line: number | null): string {
  return `${identity.subject} (${identity.file}${line === null ? '' : `:${line}`})`;
}

export interface FrontMatter {
  /** The parsed YAML mapping; empty when the file has no front matter. */
  metadata: Record<string, unknown>;
  /** The Handlebars source after the front matter. */
  body: string;
  /** The file line the body starts on (1-based), so Handlebars line numbers can be turned into file lines. */
  bodyStartLine: number;
  /** The file line of the YAML node at `path` (the closest ancestor that exists), or null without front matter. */
  lineOf(path: ReadonlyArray<string | number>): number | null;
  /** The file line of the key `key` inside the mapping at `path`. */
  lineOfKey(path: ReadonlyArray<string | number>, key: string): number | null;
}

const delimiterPattern = /^---[ \t]*$/;

export function readFrontMatter(source: string, identity: SourceIdentity): FrontMatter {
  // Line endings are normalised so a template saved on Windows renders the same messages.
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!delimiterPattern.test(lines[0]!)) {
    return { metadata: {}, body: lines.join('\n'), bodyStartLine: 1, lineOf: () => null, lineOfKey: () => null };
  }
  const closingIndex = lines.findIndex((line, index) => index > 0 && delimiterPattern.test(line));
  if (closingIndex === -1) {
    throw new TemplateError(
      `${describeLocation(identity, 1)}: front matter starts with --- but has no closing --- line`,
    );
  }
  const yamlText = lines.slice(1, closingIndex).join('\n');
  // Line 1 of the YAML text is line 2 of the file.
  const firstYamlLine = 2;
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const yamlLine = firstError.linePos?.[0].line;
    const line = yamlLine === undefined ? firstYamlLine : firstYamlLine + yamlLine - 1;
    throw new TemplateError(
      `${describeLocation(identity, line)}: invalid YAML front matter: ${firstLineOf(firstError.message)}`,
    );
  }
  const value: unknown = document.toJS();
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new TemplateError(
      `${describeLocation(identity, firstYamlLine)}: front matter must be a YAML mapping of keys to values`,
    );
  }
  const fileLineAt = (offset: number): number => firstYamlLine + lineCounter.linePos(offset).line - 1;
  return {
    metadata: (value ?? {}) as Record<string, unknown>,
    body: lines.slice(closingIndex + 1).join('\n'),
    bodyStartLine: closingIndex + 2,
    lineOf: (path) => {
      const range = closestNodeRange(document, path);
      return range === null ? firstYamlLine : fileLineAt(range[0]);
    },
    lineOfKey: (path, key) => {
      const node: unknown = path.length === 0 ? document.contents : document.getIn(path, true);
      const items = (node as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | null)
        ?.items;
      const pair = items?.find((item) => item.key?.value === key);
      return pair?.key?.range === undefined
        ? fileLineAt(closestNodeRange(document, path)?.[0] ?? 0)
        : fileLineAt(pair.key.range[0]);
    },
  };
}

function closestNodeRange(document: Document, path: ReadonlyArray<string | number>): [number, number, number] | null {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range !== undefined) return range;
  }
  return null;
}

/** YAML messages end with a code excerpt over several lines; our errors are one line. */
function firstLineOf(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}
