/**
 * Datasets: JSONL (or CSV) records holding the template's variables, optionally `id` and `expected`.
 * A file up to `checkWholeBytes` is read whole and checked before its first record is handed out, so a
 * malformed line ends the run before any request rather than after the paid ones before it; the records
 * checked are the records run. A larger file starts streaming at once (the endpoint should not wait for
 * a big file to be read) while the same check runs ahead of the stream, far faster than requests go out.
 * stdin cannot be read twice: it is checked as it streams.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { DatasetRecord } from '../core/records.js';
import { parseJsonLine, readLines, splitLines, type NumberedLine } from './read-lines.js';
import type { CsvRow } from './read-csv.js';

/** csv-parse loads only for a CSV dataset: a JSONL run does not pay for it before its first request. */
type CsvParser = typeof import('./read-csv.js');
const isCsv = (path: string): boolean => path.toLowerCase().endsWith('.csv');

/** Checking 1 MiB of JSONL takes milliseconds: below that, check everything first. */
export const checkWholeBytes = 1024 * 1024;

export interface DatasetOptions {
  /** Variables from --var/--vars; a record's own values win. */
  sharedVars: Record<string, unknown>;
  /** Throws when a record cannot be used (e.g. it lacks a template variable); runs in the check before any request. */
  checkRecord?: (record: DatasetRecord) => void;
  /** What `-` reads. */
  stdin?: NodeJS.ReadableStream;
}

export async function* readDataset(path: string, options: DatasetOptions): AsyncGenerator<DatasetRecord> {
  const csv = isCsv(path) ? await import('./read-csv.js') : null;
  if (path === '-') {
    yield* parseDataset(path, options, csv);
    return;
  }
  if ((await stat(path)).size <= checkWholeBytes) {
    // Read and parsed once, without an await per line: this check is all that stands before the first request.
    yield* parseDatasetBytes(await readFile(path), path, options, csv);
    return;
  }
  let failure: unknown = null;
  const checkAhead = (async () => {
    for await (const record of parseDataset(path, options, csv)) void record;
  })().catch((error: unknown) => {
    failure = error;
  });
  for await (const record of parseDataset(path, options, csv)) {
    if (failure !== null) throw failure;
    yield record;
  }
  await checkAhead;
  if (failure !== null) throw failure;
}

async function* parseDataset(
  path: string,
  options: DatasetOptions,
  csv: CsvParser | null,
): AsyncGenerator<DatasetRecord> {
  const reader = createRecordReader(path, options);
  const lines = readLines(path, reader.label, options.stdin);
  if (csv !== null) {
    for await (const row of csv.csvRows(lines, reader.label)) {
      const record = reader.readRow(row);
      if (record !== null) yield record;
    }
  } else {
    for await (const line of lines) {
      const record = reader.readLine(line);
      if (record !== null) yield record;
    }
  }
  reader.finish();
}

/** Every record of a dataset file read whole, checked as parseDataset checks them, with the same errors. */
export function parseDatasetBytes(
  bytes: Buffer,
  path: string,
  options: DatasetOptions,
  csv: CsvParser | null,
): DatasetRecord[] {
  const reader = createRecordReader(path, options);
  const lines = splitLines(bytes, reader.label);
  const records = (
    csv !== null
      ? csv.csvRowsOf(lines, reader.label).map((row) => reader.readRow(row))
      : Array.from(lines, (line) => reader.readLine(line))
  ).filter((record) => record !== null);
  reader.finish();
  return records;
}

/**
 * Turns a dataset's lines (JSONL) or rows (CSV), in order, into checked records: each gives the record it
 * holds (null for a blank line or the CSV header), and `finish` refuses a dataset without records.
 */
function createRecordReader(path: string, options: DatasetOptions) {
  const label = path === '-' ? 'stdin' : path;
  const seenIds = new Set<string>();
  let header: string[] | null = null;
  let count = 0;

  const accept = (value: unknown, line: number): DatasetRecord => {
    const record = toRecord(value, `${label}:${line}`, count, options.sharedVars);
    if (seenIds.has(record.id))
      throw new InputError(`${label}:${line}: duplicate id "${record.id}" (ids must be unique within a dataset)`);
    seenIds.add(record.id);
    options.checkRecord?.(record);
    count++;
    return record;
  };

  return {
    label,
    readLine(line: NumberedLine): DatasetRecord | null {
      if (line.text.trim() === '') return null;
      return accept(parseJsonLine(line, label), line.line);
    },
    readRow(row: CsvRow): DatasetRecord | null {
      // A line of spaces alone is a blank line, as in JSONL.
      if (row.cells.length === 1 && row.cells[0]!.trim() === '') return null;
      if (header === null) {
        header = row.cells.map((cell) => cell.trim());
        return null;
      }
      if (row.cells.length !== header.length)
        throw new InputError(`${label}:${row.line}: ${row.cells.length} columns, but the header has ${header.length}`);
      const columns = header;
      return accept(Object.fromEntries(columns.map((name, index) => [name, row.cells[index]])), row.line);
    },
    finish(): void {
      if (count === 0) throw new InputError(`${label}: the dataset has no records`);
    },
  };
}

function toRecord(value: unknown, source: string, index: number, sharedVars: Record<string, unknown>): DatasetRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      `${source}: a record must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    );
  }
  const { id, expected, vars: nestedVars, ...rest } = value as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new InputError(`${source}: "id" must be a string or a number`);
  }
  // promptfoo-style records keep variables under `vars`; flat records hold them at the top level.
  const ownVars =
    isPlainObject(nestedVars) && Object.keys(rest).length === 0
      ? nestedVars
      : { ...rest, ...(nestedVars === undefined ? {} : { vars: nestedVars }) };
  return {
    // The record's 1-based ordinal, CSV and JSONL alike (a CSV header or a blank line is no record).
    id: id === undefined ? String(index + 1) : String(id),
    vars: { ...sharedVars, ...ownVars },
    expected: parseExpected(expected, source),
    source,
    index,
  };
}

function parseExpected(expected: unknown, source: string): string | string[] | null {
  if (expected === undefined || expected === null) return null;
  if (typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean')
    return String(expected);
  if (
    Array.isArray(expected) &&
    expected.length > 0 &&
    expected.every((item) => ['string', 'number', 'boolean'].includes(typeof item))
  ) {
    return expected.map(String);
  }
  throw new InputError(`${source}: "expected" must be a string, number, boolean or a non-empty list of them`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Records in a dataset file, for progress and ETA on a terminal (non-empty lines; CSV rows less the header). */
export async function countDatasetRecords(path: string): Promise<number | null> {
  if (path === '-') return null;
  let count = 0;
  if (isCsv(path)) {
    const { csvRows } = await import('./read-csv.js');
    for await (const row of csvRows(readLines(path, path), path))
      if (row.cells.length > 1 || row.cells[0]!.trim() !== '') count++;
    return Math.max(0, count - 1);
  }
  for await (const line of readLines(path, path)) if (line.text.trim() !== '') count++;
  return count;
}
