/**
 * A dataset up to 1 MiB is read whole (splitLines, parseDatasetBytes) instead of streamed: its lines and its
 * errors must be exactly the streamed ones (readLines), and its records come back checked, in order.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/run/read-dataset.js';
import { readLines, splitLines } from '../../src/run/read-lines.js';
import type { DatasetRecord } from '../../src/core/records.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
let directory: string;
beforeAll(async () => {
  directory = await makeTempDir('promptlab-dataset-');
});

type Outcome = { lines: Array<{ text: string; line: number }> } | { error: string };

async function streamed(content: Buffer): Promise<Outcome> {
  const path = join(directory, 'streamed.txt');
  await writeFile(path, content);
  const lines: Array<{ text: string; line: number }> = [];
  try {
    for await (const line of readLines(path, 'data.jsonl')) lines.push(line);
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { lines };
}

function whole(content: Buffer): Outcome {
  try {
    return { lines: [...splitLines(content, 'data.jsonl')] };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

// Text lines, and now and then a line with a byte that is not UTF-8 or a NUL byte.
const lineBytes = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 30 })
      .map((text) => Buffer.from(text.replace(/[\n\u0000]/g, ' '), 'utf8')),
  },
  { weight: 1, arbitrary: fc.constant(Buffer.from([0x41, 0xff, 0x42])) },
  { weight: 1, arbitrary: fc.constant(Buffer.from([0x41, 0x00])) },
);

describe('splitLines', () => {
  it('gives the lines and the first error that readLines gives for the same file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineBytes, { maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (lines, crlf, bom, finalNewline) => {
          const separator = Buffer.from(crlf ? '\r\n' : '\n');
          const parts = lines.flatMap((line, index) => (index === 0 ? [line] : [separator, line]));
          const content = Buffer.concat([
            ...(bom ? [Buffer.from('\uFEFF', 'utf8')] : []),
            ...parts,
            ...(finalNewline ? [separator] : []),
          ]);
          expect(whole(content)).toEqual(await streamed(content));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readDataset (a file read whole)', () => {
  async function records(
    name: string,
    content: string,
    checkRecord?: (record: DatasetRecord) => void,
  ): Promise<DatasetRecord[]> {
    const path = join(directory, name);
    await writeFile(path, content);
    const read: DatasetRecord[] = [];
    for await (const record of readDataset(path, { sharedVars: { shared: 1 }, checkRecord })) read.push(record);
    return read;
  }

  it('returns each record once, in file order, with shared variables under its own', async () => {
    const read = await records('ok.jsonl', '{"id":"a","input":"x","expected":7}\n\n{"input":"y","shared":2}\n');
    expect(read).toEqual([
      { id: 'a', vars: { shared: 1, input: 'x' }, expected: '7', source: `${join(directory, 'ok.jsonl')}:1`, index: 0 },
      {
        // The second record: ids are ordinals, whatever blank lines come between.
        id: '2',
        vars: { shared: 2, input: 'y' },
        expected: null,
        source: `${join(directory, 'ok.jsonl')}:3`,
        index: 1,
      },
    ]);
  });

  it('reports the first bad line before handing out any record', async () => {
    const path = join(directory, 'bad.jsonl');
    const handedOut: string[] = [];
    const run = async () => {
      for await (const record of readDataset(path, { sharedVars: {} })) handedOut.push(record.id);
    };
    await writeFile(path, Buffer.concat([Buffer.from('{"input":"a"}\n{"input":\n'), Buffer.from([0xff, 0x0a])]));
    await expect(run()).rejects.toThrow(`${path}:2: not valid JSON`);
    expect(handedOut).toEqual([]);
  });

  it('runs the record check on every record before the first is handed out', async () => {
    const checked: string[] = [];
    const check = (record: DatasetRecord) => {
      checked.push(record.id);
      if (record.id === '2') throw new Error('record 2 refused');
    };
    await expect(records('checked.jsonl', '{"input":"a"}\n{"input":"b"}\n{"input":"c"}\n', check)).rejects.toThrow(
      'record 2 refused',
    );
    expect(checked).toEqual(['1', '2']);
  });

  it('reads CSV with its header, and refuses a dataset without records', async () => {
    expect((await records('data.csv', 'input,expected\r\n"a, b",1\r\n')).map((record) => record.vars)).toEqual([
      { shared: 1, input: 'a, b' },
    ]);
    await expect(records('empty.jsonl', '\n\n')).rejects.toThrow('the dataset has no records');
  });
});

describe('CSV datasets (csv-parse)', () => {
  const prompt = '"What is 1 + 1?\nThink first.",2';
  const spanning = `input,expected\n${prompt}\n\n  \nplain,"a ""quoted"" b"\n`;

  /** The records of a CSV file read whole (≤ 1 MiB), or the error. */
  async function allWays(text: string): Promise<Array<DatasetRecord[] | string>> {
    const outcome = async (read: () => AsyncIterable<DatasetRecord>) => {
      const records: DatasetRecord[] = [];
      try {
        for await (const record of read()) records.push(record);
        return records;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const path = join(directory, 'rows.csv');
    await writeFile(path, text);
    return [await outcome(() => readDataset(path, { sharedVars: {} }))];
  }

  it('reads a quoted field that spans lines as one value, and names each record by the line it starts on', async () => {
    const [whole] = await allWays(spanning);
    expect(whole).toEqual([
      {
        id: '1',
        vars: { input: 'What is 1 + 1?\nThink first.' },
        expected: '2',
        source: `${join(directory, 'rows.csv')}:2`,
        index: 0,
      },
      {
        id: '2',
        vars: { input: 'plain' },
        expected: 'a "quoted" b',
        source: `${join(directory, 'rows.csv')}:6`,
        index: 1,
      },
    ]);
  });

  it.each([
    ['input,expected\nfine,1\n\n"never closed,2\nmore,3\n', 'rows.csv:4: unterminated quoted field'],
    [`input,expected\n${prompt}\nonly one\n`, 'rows.csv:4: 1 columns, but the header has 2'],
    ['input,expected\n"a\n\n', 'rows.csv:2: unterminated quoted field'],
  ])('refuses %j naming the line', async (text, error) => {
    const [whole] = await allWays(text);
    expect(whole).toBe(`${join(directory, error.split(':')[0]!)}:${error.split(':').slice(1).join(':')}`);
  });

  it('gives the same records streamed (a file over 1 MiB, checked ahead) as read whole, and the same errors', async () => {
    const path = join(directory, 'big.csv');
    const row = `"${'x'.repeat(2000)}\nline two",1\n`;
    await writeFile(path, `input,expected\n${row.repeat(600)}`);
    const records: DatasetRecord[] = [];
    for await (const record of readDataset(path, { sharedVars: {} })) records.push(record);
    expect(records).toHaveLength(600);
    expect(records[599]).toMatchObject({ id: '600', vars: { input: `${'x'.repeat(2000)}\nline two` } });
    expect(records.slice(0, 2).map((record) => record.source)).toEqual([`${path}:2`, `${path}:4`]);
    await writeFile(path, `input,expected\n${row.repeat(600)}"not closed,1\n`);
    const read = async () => {
      for await (const record of readDataset(path, { sharedVars: {} })) void record;
    };
    await expect(read()).rejects.toThrow(`${path}:1202: unterminated quoted field`);
  });
});
