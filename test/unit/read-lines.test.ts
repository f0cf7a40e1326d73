/**
 * readLines against real files: lines (with multi-byte characters) come back exactly, wherever the
 * 64 KiB read chunks split them, and a byte that is not UTF-8 is reported on its own line.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLines } from '../../src/run/read-lines.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
let directory: string;
beforeAll(async () => {
  directory = await makeTempDir('promptlab-lines-');
});

async function readAll(content: Buffer): Promise<Array<{ text: string; line: number }>> {
  const path = join(directory, 'lines.txt');
  await writeFile(path, content);
  const lines: Array<{ text: string; line: number }> = [];
  for await (const line of readLines(path, 'lines.txt')) lines.push(line);
  return lines;
}

// No newline and no NUL inside a line; CR only where a line ending could not strip it.
const lineText = fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => text.replace(/[\n\r\u0000]/g, ' '));
// Padding of 2-byte characters moves the 64 KiB chunk boundaries to every offset, mid-character included.
const padding = fc.nat({ max: 70_000 }).map((length) => 'é'.repeat(length));

describe('readLines', () => {
  it('returns every line as written, numbered from 1, across chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineText, { minLength: 1, maxLength: 20 }),
        padding,
        fc.boolean(),
        async (lines, pad, crlf) => {
          const all = [pad, ...lines];
          const content = Buffer.from(all.join(crlf ? '\r\n' : '\n'), 'utf8');
          const read = await readAll(content);
          const expected = all.map((text, index) => ({ text, line: index + 1 }));
          // A file ending without a newline still yields its last line; an empty last line is no line.
          expect(read).toEqual(expected.at(-1)!.text === '' ? expected.slice(0, -1) : expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('names the line holding a byte that is not UTF-8', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineText, { minLength: 2, maxLength: 20 }),
        padding,
        fc.nat(),
        async (lines, pad, pick) => {
          const all = [pad, ...lines];
          const bad = pick % all.length;
          const parts = all.map((text) => Buffer.from(text, 'utf8'));
          parts[bad] = Buffer.concat([parts[bad]!, Buffer.from([0xff])]);
          const content = Buffer.concat(
            parts.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from('\n'), part])),
          );
          await expect(readAll(content)).rejects.toThrow(`lines.txt:${bad + 1}: not UTF-8 text`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
