/**
 * Finding and loading templates (the I/O step). A name is looked up as `NAME.prompt` in the project's
 * `./prompts/` first, then in the templates that ship with promptlab; an argument ending in `.prompt` or
 * containing a `/` is a path. Partials (`{{> name}}` → `_name.prompt`) are read only from the template
 * directories, never from a path the template spells out.
 *
 * Parsing and rendering (zod, handlebars, dotprompt) are imported on first load, not with this module, so a
 * command that only lists templates, or `--help`, starts fast.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from '../core/chat-client.js';
import { textFingerprint } from '../core/fingerprint.js';
import { TemplateError } from '../errors.js';
import type { SourceIdentity } from './front-matter.js';
import type { ParsedBody, ParsedTemplate } from './parse-template.js';
import type { TemplateSettings } from './template-settings.js';
import type { TemplateSyntaxTree } from './template-variables.js';

export type { TemplateSettings } from './template-settings.js';

export interface TemplateDirs {
  /** `<working directory>/prompts`: the project's own templates, which shadow shipped ones of the same name. */
  projectDir: string;
  /** The templates that ship with promptlab (normally `shippedTemplatesDir`). */
  shippedDir: string;
}

/** The repo's `prompts/` dir: two levels above this file both as src/templates/*.ts and as dist/templates/*.js. */
export const shippedTemplatesDir: string = fileURLToPath(new URL('../../prompts', import.meta.url));

/** Where `-t NAME` looks: the project's ./prompts/ (under `cwd`) first, then the templates that ship. */
export const projectTemplateDirs = (cwd: string): TemplateDirs => ({
  projectDir: path.join(cwd, 'prompts'),
  shippedDir: shippedTemplatesDir,
});

export type TemplateOrigin = 'project' | 'shipped' | 'path';

export interface LoadedTemplate {
  /** The file name without `.prompt`, e.g. "math". */
  name: string;
  /** Absolute path of the template file. */
  path: string;
  /** A hash of the template's text and the partials it uses: what a resumed run checks it was made with. */
  fingerprint: string;
  origin: TemplateOrigin;
  description: string | null;
  settings: TemplateSettings;
  /** Variables a record must give (required and without a default), sorted. */
  variables: string[];
  /**
   * Renders one record's variables into chat messages. Throws a TemplateError listing every missing variable
   * and naming the record by `recordLabel` (e.g. `data.jsonl:3`). The template is compiled once, at load.
   */
  render(vars: Record<string, unknown>, recordLabel: string): Promise<ChatMessage[]>;
  /** The missing-variable check of `render` alone (cheap, synchronous): lets a dataset be checked before any call. */
  checkVariables(vars: Record<string, unknown>, recordLabel: string): void;
}

export interface TemplateListing {
  name: string;
  path: string;
  origin: 'project' | 'shipped';
  description: string | null;
}

const templateExtension = '.prompt';

export async function loadTemplate(nameOrPath: string, dirs: TemplateDirs): Promise<LoadedTemplate> {
  const located = await locateTemplate(nameOrPath, dirs);
  const pipeline = await importPipeline();
  const identity: SourceIdentity = { subject: `template "${located.name}"`, file: displayPath(located.path) };
  const template = await pipeline.parseTemplate(located.source, identity);

  const partials = await loadPartials(template, located.partialDirs, pipeline);
  const partialTrees = new Map([...partials].map(([name, partial]) => [name, partial.tree] as const));
  const required = await pipeline.requiredVariablesOf(template, partialTrees);
  const render = await pipeline.compileTemplate({
    template,
    partials: new Map([...partials].map(([name, partial]) => [name, partial.body] as const)),
    requiredVariables: required,
  });
  const defaulted = (name: string) => Object.hasOwn(template.defaults, name) && template.defaults[name] != null;
  return {
    name: located.name,
    path: located.path,
    fingerprint: textFingerprint(
      [
        located.source,
        ...[...partials].sort(([a], [b]) => a.localeCompare(b)).map(([name, partial]) => `${name}\0${partial.body}`),
      ].join('\0'),
    ),
    origin: located.origin,
    description: template.description,
    settings: template.settings,
    variables: required.filter((name) => !defaulted(name)).sort(),
    render,
    checkVariables: (vars, recordLabel) => pipeline.checkRequiredVariables(template, required, vars, recordLabel),
  };
}

/** Templates by name: the project's, then shipped ones it does not shadow; partials (`_*.prompt`) excluded. */
export async function listTemplates(dirs: TemplateDirs): Promise<TemplateListing[]> {
  const { readFrontMatter } = await import('./front-matter.js');
  const listings = new Map<string, TemplateListing>();
  // Run from promptlab's own checkout, ./prompts/ is the shipped directory: list it once, as shipped.
  const sameDir = path.resolve(dirs.projectDir) === path.resolve(dirs.shippedDir);
  const sources = sameDir
    ? ([[dirs.shippedDir, 'shipped']] as const)
    : ([
        [dirs.projectDir, 'project'],
        [dirs.shippedDir, 'shipped'],
      ] as const);
  for (const [dir, origin] of sources) {
    for (const name of await templateNamesIn(dir)) {
      if (listings.has(name)) continue;
      const file = path.join(dir, name + templateExtension);
      let description: string | null = null;
      try {
        const { metadata } = readFrontMatter(await readFile(file, 'utf8'), { subject: `template "${name}"`, file });
        description = typeof metadata.description === 'string' ? metadata.description : null;
      } catch {
        // A listing shows what exists; a broken file reports its error when it is shown or rendered.
      }
      listings.set(name, { name, path: file, origin, description });
    }
  }
  return [...listings.values()].sort((a, b) => a.name.localeCompare(b.name));
}

interface LocatedTemplate {
  name: string;
  path: string;
  origin: TemplateOrigin;
  source: string;
  /** Where `{{> name}}` looks for `_name.prompt`, in order. */
  partialDirs: string[];
}

async function locateTemplate(nameOrPath: string, dirs: TemplateDirs): Promise<LocatedTemplate> {
  if (nameOrPath.endsWith(templateExtension) || nameOrPath.includes('/') || nameOrPath.includes(path.sep)) {
    const file = path.resolve(nameOrPath);
    const source = await readTemplateFile(file);
    if (source === null) throw new TemplateError(`template file "${nameOrPath}" not found`);
    return {
      name: path.basename(file, templateExtension),
      path: file,
      origin: 'path',
      source,
      partialDirs: [path.dirname(file)],
    };
  }
  const templateDirs = [dirs.projectDir, dirs.shippedDir];
  if (isSafeFileName(nameOrPath) && !nameOrPath.startsWith('_')) {
    // Run from promptlab's own checkout, ./prompts/ is the shipped directory: list it once, as shipped.
    const sameDir = path.resolve(dirs.projectDir) === path.resolve(dirs.shippedDir);
    const sources = sameDir
      ? ([[dirs.shippedDir, 'shipped']] as const)
      : ([
          [dirs.projectDir, 'project'],
          [dirs.shippedDir, 'shipped'],
        ] as const);
    for (const [dir, origin] of sources) {
      const file = path.join(dir, nameOrPath + templateExtension);
      const source = await readTemplateFile(file);
      if (source !== null) return { name: nameOrPath, path: file, origin, source, partialDirs: templateDirs };
    }
  }
  const available = (await listTemplates(dirs)).map((listing) => listing.name);
  // From promptlab's own checkout the two are one directory: name it once.
  const looked =
    path.resolve(dirs.projectDir) === path.resolve(dirs.shippedDir)
      ? `${displayPath(dirs.shippedDir)}/`
      : `${displayPath(dirs.projectDir)}/ and ${displayPath(dirs.shippedDir)}/`;
  throw new TemplateError(
    `unknown template "${nameOrPath}" (looked in ${looked}); ` +
      `available: ${available.length === 0 ? 'none' : available.join(', ')}`,
  );
}

/** The parsing and rendering modules, imported when the first template loads (see the top of this file). */
async function importPipeline() {
  const [parsing, variables, rendering] = await Promise.all([
    import('./parse-template.js'),
    import('./template-variables.js'),
    import('./render-template.js'),
  ]);
  return { ...parsing, ...variables, ...rendering };
}

type Pipeline = Awaited<ReturnType<typeof importPipeline>>;

/** Reads every partial the template uses, and the partials those use, each once. */
async function loadPartials(
  template: ParsedTemplate,
  partialDirs: string[],
  { findPartialReferences, parsePartial }: Pick<Pipeline, 'findPartialReferences' | 'parsePartial'>,
): Promise<Map<string, ParsedBody>> {
  const partials = new Map<string, ParsedBody>();
  const pending: Array<{ tree: TemplateSyntaxTree; identity: SourceIdentity; bodyStartLine: number }> = [
    { tree: template.tree, identity: template.identity, bodyStartLine: template.bodyStartLine },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const reference of findPartialReferences(next.tree)) {
      const where = `${next.identity.subject} (${next.identity.file}:${next.bodyStartLine + reference.line - 1})`;
      if (reference.name === null) {
        throw new TemplateError(`${where}: dynamic partials {{> (…)}} are not supported; name the partial`);
      }
      if (partials.has(reference.name)) continue;
      if (!isSafeFileName(reference.name)) {
        throw new TemplateError(
          `${where}: partial name "${reference.name}" is refused: a partial is the name of a _NAME.prompt file in the template directories, not a path`,
        );
      }
      const file = await findFirstFile(partialDirs, `_${reference.name}${templateExtension}`);
      if (file === null) {
        const looked = partialDirs.map((dir) => `${displayPath(dir)}/`).join(' or ');
        throw new TemplateError(
          `${where}: unknown partial "${reference.name}" (no _${reference.name}${templateExtension} in ${looked})`,
        );
      }
      const identity: SourceIdentity = {
        subject: `partial "${reference.name}" of ${template.identity.subject}`,
        file: displayPath(file.path),
      };
      const partial = parsePartial(file.source, identity);
      partials.set(reference.name, partial);
      pending.push({ tree: partial.tree, identity, bodyStartLine: partial.bodyStartLine });
    }
  }
  return partials;
}

async function findFirstFile(dirs: string[], fileName: string): Promise<{ path: string; source: string } | null> {
  for (const dir of dirs) {
    const file = path.join(dir, fileName);
    const source = await readTemplateFile(file);
    if (source !== null) return { path: file, source };
  }
  return null;
}

/** The file's text, or null when it does not exist; any other failure is an error naming the file. */
async function readTemplateFile(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new TemplateError(`cannot read template file ${displayPath(file)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function templateNamesIn(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return []; // a project without ./prompts/ simply has no templates of its own
  }
  return entries
    .filter((entry) => entry.endsWith(templateExtension) && !entry.startsWith('_'))
    .map((entry) => entry.slice(0, -templateExtension.length))
    .filter(isSafeFileName);
}

/** Letters, digits, `_`, `-` and single dots: never a separator, `..`, or an absolute path. */
function isSafeFileName(name: string): boolean {
  return /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u.test(name) && !name.includes('..');
}

/** Relative to the working directory when the file is under it (how users name files), else absolute. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
