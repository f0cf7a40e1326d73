/** `promptlab templates list|show|render`: look at templates without calling any model. */
import { readFile } from 'node:fs/promises';
import { listTemplates, loadTemplate, projectTemplateDirs } from '../templates/load-template.js';
import { formatMessages } from '../render/messages.js';
import { fitTextTable } from '../render/text-table.js';
import type { Io } from '../run/io.js';
import { parseVarFlags } from '../run/parse-vars.js';
import { createTerminal } from './terminal.js';

export async function listTemplatesCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const templates = await listTemplates(projectTemplateDirs(process.cwd()));
  if (flagValues.json === true || !io.stdout.isTTY) {
    io.stdout.write(`${JSON.stringify(templates, null, 2)}\n`);
    return;
  }
  const terminal = await createTerminal({ quiet: false }, io);
  const table = fitTextTable(
    [
      { header: 'template', align: 'left' },
      { header: 'origin', align: 'left' },
      { header: 'description', align: 'left', flexible: true },
    ],
    templates.map((template) => [
      terminal.stdoutColors.cyan(template.name),
      template.origin,
      template.description ?? '',
    ]),
    terminal.stdoutColumns,
    terminal.stdoutColors.bold,
  );
  io.stdout.write(`${table.text}\n`);
}

export async function showTemplateCommand(name: string, io: Io): Promise<void> {
  const template = await loadTemplate(name, projectTemplateDirs(process.cwd()));
  io.stdout.write(await readFile(template.path, 'utf8'));
}

export async function renderTemplateCommand(
  name: string,
  input: string | undefined,
  flagValues: Record<string, unknown>,
  io: Io,
): Promise<void> {
  const template = await loadTemplate(name, projectTemplateDirs(process.cwd()));
  const vars = await parseVarFlags(flagValues.var as string[] | undefined, flagValues.vars as string | undefined);
  if (input !== undefined) vars.input = input;
  const messages = await template.render(vars, 'the command line');
  if (flagValues.json === true || !io.stdout.isTTY)
    io.stdout.write(`${JSON.stringify({ template: template.name, messages }, null, 2)}\n`);
  else io.stdout.write(formatMessages(template.name, messages));
}
