/**
 * Datasets: JSONL (or CSV) records holding the template's variables, optionally `id` and `expected`.
 * A file up to `checkWholeBytes` is checked whole before its first record is handed out, so a malformed
 * line ends the run before any request rather than after the paid ones before it; its records are then
 * streamed from a second read. A larger file starts streaming at once (the endpoint should not wait for
 * a big file to be read) while the same check runs ahead of the stream, far faster than requests go out.
 * stdin cannot be read twice: it is checked as it streams.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { DatasetRecord } from '../core/records.js';
import { parseJsonLine, readLines, type NumberedLine } from './read-lines.js';
import { parseCsvLine } from './parse-csv.js';

/** Checking 1 MiB of JSONL takes milliseconds: below that, check everything first. */
export const checkWholeBytes = 1024 * 1024;

export interface DatasetOptions {
  /** Variables from --var/--vars; a record's own values win. */
  sharedVars: Record<string, unknown>;
  /** Throws when a record cannot be used (e.g. it lacks a template variable); runs in the check before any request. */
  checkRecord?: (record: DatasetRecord) => void;
}

export async function* readDataset(path: string, options: DatasetOptions): AsyncGenerator<DatasetRecord> {
  if (path === '-') {
    yield* parseDataset(path, options);
    return;
  }
  if ((await stat(path)).size <= checkWholeBytes) {
    for await (const record of parseDataset(path, options)) void record;
    yield* parseDataset(path, options);
    return;
  }
  let failure: unknown = null;
  const checkAhead = (async () => {
    for await (const record of parseDataset(path, options)) void record;
  })().catch((error: unknown) => {
    failure = error;
  });
  for await (const record of parseDataset(path, options)) {
    if (failure !== null) throw failure;
    yield record;
  }
  await checkAhead;
  if (failure !== null) throw failure;
}

async function* parseDataset(path: string, options: DatasetOptions): AsyncGenerator<DatasetRecord> {
  const label = path === '-' ? 'stdin' : path;
  const seenIds = new Set<string>();
  let count = 0;
  const lines = readLines(path, label);
  const rows = path.toLowerCase().endsWith('.csv') ? csvObjects(lines, label) : jsonObjects(lines, label);
  for await (const { value, line } of rows) {
    const record = toRecord(value, `${label}:${line}`, line, count, options.sharedVars);
    if (seenIds.has(record.id)) throw new InputError(`${label}:${line}: duplicate id "${record.id}" (ids must be unique within a dataset)`);
    seenIds.add(record.id);
    options.checkRecord?.(record);
    count++;
    yield record;
  }
  if (count === 0) throw new InputError(`${label}: the dataset has no records`);
}

async function* jsonObjects(lines: AsyncIterable<NumberedLine>, label: string): AsyncGenerator<{ value: unknown; line: number }> {
  for await (const line of lines) {
    if (line.text.trim() === '') continue;
    yield { value: parseJsonLine(line, label), line: line.line };
  }
}

async function* csvObjects(lines: AsyncIterable<NumberedLine>, label: string): AsyncGenerator<{ value: unknown; line: number }> {
  let header: string[] | null = null;
  for await (const line of lines) {
    if (line.text.trim() === '') continue;
    const cells = parseCsvLine(line.text, `${label}:${line.line}`);
    if (header === null) {
      header = cells.map((cell) => cell.trim());
      continue;
    }
    if (cells.length !== header.length) {
      throw new InputError(`${label}:${line.line}: ${cells.length} columns, but the header has ${header.length}`);
    }
    yield { value: Object.fromEntries(header.map((name, index) => [name, cells[index]])), line: line.line };
  }
}

function toRecord(value: unknown, source: string, line: number, index: number, sharedVars: Record<string, unknown>): DatasetRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${source}: a record must be a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  const { id, expected, vars: nestedVars, ...rest } = value as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new InputError(`${source}: "id" must be a string or a number`);
  }
  // promptfoo-style records keep variables under `vars`; flat records hold them at the top level.
  const ownVars = isPlainObject(nestedVars) && Object.keys(rest).length === 0 ? nestedVars : { ...rest, ...(nestedVars === undefined ? {} : { vars: nestedVars }) };
  return {
    id: id === undefined ? String(line) : String(id),
    vars: { ...sharedVars, ...ownVars },
    expected: parseExpected(expected, source),
    source,
    index,
  };
}

function parseExpected(expected: unknown, source: string): string | string[] | null {
  if (expected === undefined || expected === null) return null;
  if (typeof expected === 'string' || typeof expected === 'number' || typeof expected === 'boolean') return String(expected);
  if (Array.isArray(expected) && expected.length > 0 && expected.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) {
    return expected.map(String);
  }
  throw new InputError(`${source}: "expected" must be a string, number, boolean or a non-empty list of them`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Records in a dataset file, for progress and ETA on a terminal (non-empty lines; CSV less its header). */
export async function countDatasetRecords(path: string): Promise<number | null> {
  if (path === '-') return null;
  let lines = 0;
  for await (const line of readLines(path, path)) if (line.text.trim() !== '') lines++;
  return path.toLowerCase().endsWith('.csv') ? Math.max(0, lines - 1) : lines;
}
