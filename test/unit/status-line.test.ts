import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStatusLine } from '../../src/cli/status-line.js';
import { stripAnsi } from '../../src/render/colors.js';
import { textWidth } from '../../src/render/text-width.js';

function terminalOf(columns: number | undefined) {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        writes.push(String(chunk));
        done();
      },
    }),
    { isTTY: true, columns },
  );
  return { stream, writes };
}

describe('createStatusLine', () => {
  it.each([
    [0, 79],
    [undefined, 79],
    [40, 39],
  ])('at %s columns draws one line of at most %i columns, redrawn in place', (columns, widest) => {
    const { stream, writes } = terminalOf(columns);
    const line = createStatusLine(stream, (frame) => `\u001b[36m${frame}\u001b[39m`);
    line.update(() => `cot 29/50 · ${'x'.repeat(200)}`);
    line.stop();
    expect(writes[0]!.startsWith('\r')).toBe(true);
    expect(writes[0]!.endsWith('\u001b[K')).toBe(true);
    expect(writes[0]).not.toContain('\n');
    expect(textWidth(stripAnsi(writes[0]!.slice(1, -3)))).toBe(widest);
    expect(writes.at(-1)).toBe('\r\u001b[K');
  });

  it('erases itself for a line written above, then draws again', () => {
    const { stream, writes } = terminalOf(80);
    const line = createStatusLine(stream, (frame) => frame);
    line.update(() => 'cot 1/2');
    line.above(() => stream.write('a record\n'));
    line.stop();
    expect(writes.map((write) => write.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, '*'))).toEqual([
      '\r* cot 1/2\u001b[K',
      '\r\u001b[K',
      'a record\n',
      '\r* cot 1/2\u001b[K',
      '\r\u001b[K',
    ]);
  });
});
