/**
 * `tune --save FILE.prompt`: the winner as a Dotprompt template that `promptlab <strategy> -t FILE` runs
 * as is. It is the winner's own template with what the candidate changed written into it: the system
 * instruction as the body's system message, the trigger and the demonstration set under `promptlab:`,
 * and the answer rules given as flags. Where it came from goes under `promptlab.tune:` — Dotprompt's
 * namespaced-key convention for extensions, which other Dotprompt implementations carry along unread.
 */
import { stringify } from 'yaml';
import { readFrontMatter, settingsKey } from '../templates/front-matter.js';
import type { TemplateDemonstration } from '../templates/template-settings.js';

const provenanceKey = `${settingsKey}.tune`;

export interface SavedTemplateParts {
  /** The source of the template the winner renders (before --system or the candidate's system). */
  source: string;
  /** Names the file in errors. */
  file: string;
  description: string;
  /** The system instruction to put in place of the template's own; null keeps the template's. */
  system: string | null;
  /** The trigger it ran with (strategies that take one); null for the others. */
  trigger: string | null;
  demonstrations: readonly TemplateDemonstration[];
  /** Answer rules the run took from flags (`answer`, `normalize`, `extractMode`, `pick`): they become the template's. */
  settings: Record<string, unknown>;
  provenance: Record<string, unknown>;
}

export function savedTemplate(parts: SavedTemplateParts): string {
  const frontMatter = readFrontMatter(parts.source, { subject: 'the winning template', file: parts.file });
  const metadata: Record<string, unknown> = { ...frontMatter.metadata, description: parts.description };
  const own = (metadata[settingsKey] ?? {}) as Record<string, unknown>;
  metadata[settingsKey] = {
    ...own,
    ...parts.settings,
    ...(parts.trigger === null ? {} : { trigger: parts.trigger }),
    ...(parts.demonstrations.length === 0 ? {} : { demonstrations: parts.demonstrations }),
  };
  metadata[provenanceKey] = parts.provenance;
  const body = parts.system === null ? frontMatter.body : withSystemSection(frontMatter.body, parts.system);
  return `---\n${stringify(metadata, { lineWidth: 0 })}---\n${body.replace(/^\n+/, '')}${body.endsWith('\n') ? '' : '\n'}`;
}

const roleMarker = /\{\{\s*role\s+"([a-z]+)"\s*\}\}/g;

/**
 * The body with its system sections taken out and `system` first, as --system renders: text before the
 * first role marker is the user's (Dotprompt's default), so it gets a marker of its own.
 */
export function withSystemSection(body: string, system: string): string {
  const sections: Array<{ role: string; marker: string | null; text: string }> = [];
  let role = 'user';
  let marker: string | null = null;
  let from = 0;
  for (const match of body.matchAll(roleMarker)) {
    sections.push({ role, marker, text: body.slice(from, match.index) });
    role = match[1]!;
    marker = match[0];
    from = match.index + match[0].length;
  }
  sections.push({ role, marker, text: body.slice(from) });
  const kept = sections
    .filter((section) => section.role !== 'system' && section.text.trim() !== '')
    .map((section) =>
      section.marker === null ? `{{role "user"}}\n${section.text.replace(/^\n+/, '')}` : section.marker + section.text,
    );
  return `{{role "system"}}\n${escapeHandlebars(system)}\n${kept.join('')}`;
}

/** Literal text in a Handlebars body: `{{` would open an expression, `\{{` prints it. */
function escapeHandlebars(text: string): string {
  return text.replace(/\{\{/g, '\\{{');
}
