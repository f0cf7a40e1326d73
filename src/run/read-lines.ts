/**
 * Streams the lines of a file (or stdin for `-`) with their 1-based numbers, refusing what is not
 * text: bytes that are not UTF-8, NUL bytes, and absurdly long lines — each named by file:line.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** A line longer than this is refused rather than parsed (a binary or minified blob, not a record). */
export const maxLineBytes = 8 * 1024 * 1024;

export interface NumberedLine {
  text: string;
  line: number;
}

export async function checkReadable(path: string, flag: string): Promise<void> {
  if (path === '-') return;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`${flag} ${path}: is a directory, not a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot read (${code ?? String(error)})`;
    throw new InputError(`${flag} ${path}: ${reason}`);
  }
}

export async function* readLines(
  path: string,
  label: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): AsyncGenerator<NumberedLine> {
  const stream = path === '-' ? stdin : createReadStream(path);
  // Lines are cut on bytes and each is checked as UTF-8 on its own: a 0x0A byte is never part of a
  // multi-byte character, so an encoding error names its own line, wherever the read chunks happen to end.
  let carried: Buffer[] = [];
  let carriedBytes = 0;
  let line = 0;
  try {
    for await (const data of stream as AsyncIterable<Buffer | string>) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      let start = 0;
      let newline = chunk.indexOf(0x0a, start);
      while (newline !== -1) {
        let bytes = chunk.subarray(start, newline);
        if (carried.length > 0) {
          bytes = Buffer.concat([...carried, bytes]);
          carried = [];
          carriedBytes = 0;
        }
        line++;
        yield checked(bytes, line, label);
        start = newline + 1;
        newline = chunk.indexOf(0x0a, start);
      }
      // Kept as a list and joined once the line ends: joining per chunk would copy a long line once per chunk.
      if (start < chunk.length) {
        carried.push(chunk.subarray(start));
        carriedBytes += chunk.length - start;
      }
      if (carriedBytes > maxLineBytes) throw tooLong(label, line + 1);
    }
    if (carriedBytes > 0) yield checked(Buffer.concat(carried), line + 1, label);
  } finally {
    if (path !== '-') (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

/**
 * The lines of a file already read whole: the same lines, numbers and errors as readLines, without a
 * stream or an await per line (a dataset checked before its first request is read this way).
 */
export function* splitLines(bytes: Buffer, label: string): Generator<NumberedLine> {
  // Text as a whole is text line by line (a 0x0A byte is never inside a character): decode it once.
  // Otherwise each line is checked on its own, so the error names the first bad line.
  if (bytes.length <= maxLineBytes && isUtf8(bytes) && !bytes.includes(0)) {
    const texts = bytes.toString('utf8').split('\n');
    if (texts.at(-1) === '') texts.pop();
    for (const [index, text] of texts.entries()) yield { text: cleanLine(text, index + 1), line: index + 1 };
    return;
  }
  let start = 0;
  let line = 0;
  for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    line++;
    yield checked(bytes.subarray(start, newline), line, label);
    start = newline + 1;
  }
  if (start < bytes.length) yield checked(bytes.subarray(start), line + 1, label);
}

function checked(bytes: Buffer, line: number, label: string): NumberedLine {
  if (bytes.length > maxLineBytes) throw tooLong(label, line);
  if (!isUtf8(bytes)) throw new InputError(`${label}:${line}: not UTF-8 text (is this a binary file?)`);
  const text = cleanLine(bytes.toString('utf8'), line);
  if (text.includes('\u0000')) throw new InputError(`${label}:${line}: contains NUL bytes (is this a binary file?)`);
  return { text, line };
}

/** A line without the byte-order mark of line 1 and without the CR of a CRLF ending. */
function cleanLine(text: string, line: number): string {
  const unmarked = line === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
  return unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
}

function tooLong(label: string, line: number): InputError {
  return new InputError(`${label}:${line}: line longer than ${maxLineBytes / 1024 / 1024} MiB (is this a JSONL file?)`);
}

export function parseJsonLine(line: NumberedLine, label: string): unknown {
  try {
    return JSON.parse(line.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${label}:${line.line}: not valid JSON (${reason})`);
  }
}
