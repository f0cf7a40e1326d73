/**
 * `promptlab report RESULTS.json|jsonl -o report.html`: the HTML report from any saved compare or run
 * output. Nothing is called; the file is read whole (the page holds every record anyway).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseAnswerSpec } from '../core/normalize-answer.js';
import { findConfigFile } from '../config/config-file.js';
import { InputError, UsageError } from '../errors.js';
import type { ModelPrice } from '../report/prices.js';
import type { Io } from '../run/io.js';
import { checkReadable } from '../run/read-lines.js';
import { resolveMatch } from '../run/run-setup.js';
import { checkWritableOutput, refuseInputAsOutput, writeFileAtomic } from '../run/write-file.js';
import { createTerminal } from './terminal.js';

export async function reportCommand(file: string, flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const output = flagValues.output as string | undefined;
  if (output === undefined && io.stdout.isTTY)
    throw new UsageError('report: give -o FILE.html (or redirect stdout) for the HTML page');
  await checkReadable(file, 'report');
  if (output !== undefined) {
    await checkWritableOutput(output, '-o');
    await refuseInputAsOutput({ flag: '-o', path: output }, [{ label: 'file reported on', path: file }]);
  }
  const answer = parseAnswerSpec(String(flagValues.answer ?? 'text'));
  const match = resolveMatch(flagValues);
  const prices = await pricesFor(flagValues);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`report ${file}: cannot read (${error.code ?? String(error)})`);
  });
  const { readSavedOutput, renderHtmlReport } = await import('../report/html-report.js');
  const report = renderHtmlReport(
    readSavedOutput(text, file),
    { prices, answer: match === 'exact' ? { ...answer, asExtracted: true } : answer, match },
    { source: basename(file) },
  );
  for (const note of report.notes) terminal.warn(note);
  if (output === undefined) {
    io.stdout.write(report.html);
    return;
  }
  await writeFileAtomic(output, report.html);
  terminal.note(`wrote ${output} (${Math.ceil(Buffer.byteLength(report.html) / 1024)} KB)`);
}

/** `--price MODEL=IN,OUT` flags over the config file's `prices:` (the file is read only when found). */
export async function pricesFor(flagValues: Record<string, unknown>): Promise<Map<string, ModelPrice>> {
  const flags = (flagValues.price as string[] | undefined) ?? [];
  const { resolvePrices } = await import('../report/prices.js');
  const file = await findConfigFile(process.cwd());
  return resolvePrices(flags, file?.data.prices);
}
