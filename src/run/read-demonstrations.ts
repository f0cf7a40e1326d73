/** Reads a JSONL file of demonstrations (examples, pools), each validated with its file:line. */
import { InputError } from '../errors.js';
import type { Demonstration } from '../strategies/demonstrations.js';
import { parseDemonstration } from '../strategies/parse-demonstration.js';
import { checkReadable, parseJsonLine, readLines } from './read-lines.js';

export async function readDemonstrations(path: string, flag: string): Promise<Demonstration[]> {
  await checkReadable(path, flag);
  const demonstrations: Demonstration[] = [];
  for await (const line of readLines(path, path)) {
    if (line.text.trim() === '') continue;
    demonstrations.push(parseDemonstration(parseJsonLine(line, path), `${path}:${line.line}`));
  }
  if (demonstrations.length === 0) throw new InputError(`${flag} ${path}: no demonstrations in the file`);
  return demonstrations;
}
