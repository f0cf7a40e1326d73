/** `promptlab templates list|show|render`: look at templates without calling any model. */
import { readFile } from 'node:fs/promises';
import { listTemplates, loadTemplate } from '../templates/load-template.js';
import { formatMessages } from './run-strategy-command.js';
import { parseVarFlags } from './parse-vars.js';
import { templateDirs } from './run-setup.js';

export async function listTemplatesCommand(flagValues: Record<string, unknown>): Promise<void> {
  const templates = await listTemplates(templateDirs());
  if (flagValues.json === true || !process.stdout.isTTY) {
    process.stdout.write(`${JSON.stringify(templates, null, 2)}\n`);
    return;
  }
  const width = Math.max(...templates.map((template) => template.name.length), 4);
  for (const template of templates) {
    process.stdout.write(
      `${template.name.padEnd(width)}  ${template.origin.padEnd(7)}  ${template.description ?? ''}\n`,
    );
  }
}

export async function showTemplateCommand(name: string): Promise<void> {
  const template = await loadTemplate(name, templateDirs());
  process.stdout.write(await readFile(template.path, 'utf8'));
}

export async function renderTemplateCommand(
  name: string,
  input: string | undefined,
  flagValues: Record<string, unknown>,
): Promise<void> {
  const template = await loadTemplate(name, templateDirs());
  const vars = await parseVarFlags(flagValues.var as string[] | undefined, flagValues.vars as string | undefined);
  if (input !== undefined) vars.input = input;
  const messages = await template.render(vars, 'the command line');
  if (flagValues.json === true || !process.stdout.isTTY)
    process.stdout.write(`${JSON.stringify({ template: template.name, messages }, null, 2)}\n`);
  else process.stdout.write(formatMessages(template.name, messages));
}
