import { InputError } from '../errors.js';

/** One CSV line (RFC 4180 quoting, no embedded newlines) into cells. */
export function parseCsvLine(line: string, source: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') {
        quoted = false;
      } else {
        cell += character;
      }
    } else if (character === '"' && cell === '') {
      quoted = true;
    } else if (character === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += character;
    }
  }
  if (quoted) throw new InputError(`${source}: unterminated quoted field`);
  cells.push(cell);
  return cells;
}
