/** Reads a JSONL file of demonstrations (examples, pools), each validated with its file:line. */
import { InputError } from '../errors.js';
import type { Demonstration } from '../strategies/demonstrations.js';
import { parseDemonstration } from '../strategies/parse-demonstration.js';
import { optionFiles, type OptionFiles } from './option-files.js';
import { parseJsonLine, splitLines } from './read-lines.js';

/** `files`: the run's, when the file is also fingerprinted (read once for both). */
export async function readDemonstrations(
  path: string,
  flag: string,
  files: OptionFiles = optionFiles(),
): Promise<Demonstration[]> {
  const { bytes } = await files.read(path, flag);
  const demonstrations: Demonstration[] = [];
  for (const line of splitLines(bytes, path)) {
    if (line.text.trim() === '') continue;
    demonstrations.push(parseDemonstration(parseJsonLine(line, path), `${path}:${line.line}`));
  }
  if (demonstrations.length === 0) throw new InputError(`${flag} ${path}: no demonstrations in the file`);
  return demonstrations;
}
