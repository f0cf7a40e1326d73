/**
 * Streams the lines of a file (or stdin for `-`) with their 1-based numbers, refusing what is not
 * text: bytes that are not UTF-8, NUL bytes, and absurdly long lines — each named by file:line.
 */
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
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? String(error)})`;
    throw new InputError(`${flag} ${path}: ${reason}`);
  }
}

export async function* readLines(path: string, label: string): AsyncGenerator<NumberedLine> {
  const stream = path === '-' ? process.stdin : createReadStream(path);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new InputError(`${label}:${line + 1 + countNewlines(pending)}: not UTF-8 text (is this a binary file?)`);
      }
      pending += text;
      // Scan by offset and cut once per chunk: slicing per line would copy the chunk once per line.
      let start = 0;
      let newline = pending.indexOf('\n', start);
      while (newline !== -1) {
        line++;
        yield checked(pending.slice(start, newline), line, label);
        start = newline + 1;
        newline = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      if (pending.length > maxLineBytes) {
        throw new InputError(`${label}:${line + 1}: line longer than ${maxLineBytes / 1024 / 1024} MiB (is this a JSONL file?)`);
      }
    }
    try {
      pending += decoder.decode();
    } catch {
      throw new InputError(`${label}:${line + 1}: not UTF-8 text (is this a binary file?)`);
    }
    if (pending.length > 0) yield checked(pending, line + 1, label);
  } finally {
    if (stream !== process.stdin) (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

function checked(raw: string, line: number, label: string): NumberedLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.includes('\u0000')) throw new InputError(`${label}:${line}: contains NUL bytes (is this a binary file?)`);
  if (text.length > maxLineBytes) throw new InputError(`${label}:${line}: line longer than ${maxLineBytes / 1024 / 1024} MiB (is this a JSONL file?)`);
  return { text, line };
}

function countNewlines(text: string): number {
  let count = 0;
  for (const character of text) if (character === '\n') count++;
  return count;
}

export function parseJsonLine(line: NumberedLine, label: string): unknown {
  try {
    return JSON.parse(line.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${label}:${line.line}: not valid JSON (${reason})`);
  }
}
