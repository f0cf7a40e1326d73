/**
 * CSV datasets, parsed by csv-parse (RFC 4180: quoted fields may hold commas, doubled quotes and line
 * breaks — `"What is 1 + 1?\nThink first.",2` is one record). It is fed the file's lines as read-lines.ts
 * checked them (UTF-8, no NUL, no endless line, BOM and CR dropped), so those errors still name their
 * line; each row comes with the line it starts on, for messages.
 */
import { Readable } from 'node:stream';
import { type Options, parse as parseStream } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import type { NumberedLine } from './read-lines.js';

export interface CsvRow {
  cells: string[];
  /** The line the row starts on (1-based). */
  line: number;
}

const csvOptions = {
  // A quote inside an unquoted field is kept as it is, as the hand-written parser before did.
  relax_quotes: true,
  // A row of the wrong width is refused by the dataset reader, which says how many columns it has.
  relax_column_count: true,
  skip_empty_lines: true,
} as const;

/** What csv-parse says of where it is, when a row is done or an error is found. */
interface Position {
  lines: number;
  empty_lines: number;
}

/** Where each row starts: one line after the previous row ended, plus the empty lines skipped between. */
function lineTracker(label: string) {
  let lastEnd = 0;
  let emptyBefore = 0;
  const startOf = (position: Position) => lastEnd + 1 + (position.empty_lines - emptyBefore);
  return {
    /** csv-parse's on_record: each row as it is parsed (so an error knows where the last one ended). */
    row(cells: string[], position: Position): CsvRow {
      const row = { cells, line: startOf(position) };
      lastEnd = position.lines;
      emptyBefore = position.empty_lines;
      return row;
    },
    failure(error: unknown): unknown {
      const csv = error as { code?: string; lines?: number; empty_lines?: number; message?: string };
      if (typeof csv.code !== 'string' || !csv.code.startsWith('CSV_')) return error;
      const line = startOf({ lines: csv.lines ?? lastEnd, empty_lines: csv.empty_lines ?? emptyBefore });
      if (csv.code === 'CSV_QUOTE_NOT_CLOSED') return new InputError(`${label}:${line}: unterminated quoted field`);
      return new InputError(`${label}:${line}: not valid CSV (${(csv.message ?? csv.code).split('\n')[0]})`);
    },
  };
}

/** The rows of lines already in memory (a file read whole). */
export function csvRowsOf(lines: Iterable<NumberedLine>, label: string): CsvRow[] {
  const tracker = lineTracker(label);
  let text = '';
  for (const line of lines) text += `${line.text}\n`;
  try {
    const rows: CsvRow[] = [];
    // Each row is kept as it is parsed, so an error later in the text knows where the last row ended.
    parseWhole(text, { ...csvOptions, on_record: (cells, position) => void rows.push(tracker.row(cells, position)) });
    return rows;
  } catch (error) {
    throw tracker.failure(error);
  }
}

/** The rows of streamed lines (stdin, a large file), as they come. */
export async function* csvRows(lines: AsyncIterable<NumberedLine>, label: string): AsyncGenerator<CsvRow> {
  const tracker = lineTracker(label);
  const text = Readable.from(
    (async function* () {
      for await (const line of lines) yield `${line.text}\n`;
    })(),
  );
  // on_record runs as each row is parsed, so an error later in the text knows where the last row ended.
  const options: Options<CsvRow, string[]> = {
    ...csvOptions,
    on_record: (cells: string[], position) => tracker.row(cells, position),
  };
  // csv-parse types a row-transforming on_record only with `columns`; without, it works the same.
  const parser = text.pipe(parseStream(options as unknown as Options));
  // A line that read-lines.ts refuses ends the text stream with its error; hand that on as it is.
  let readFailure: unknown = null;
  text.on('error', (error) => {
    readFailure = error;
    parser.destroy(error);
  });
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) yield row;
  } catch (error) {
    throw readFailure ?? tracker.failure(error);
  }
}
