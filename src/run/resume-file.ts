/**
 * `--resume FILE`: pick up a JSONL result file from an earlier run (`-o FILE --jsonl`), perhaps cut short by
 * Ctrl-C or `kill -9`. Results without an error are kept and their records (id × strategy) skipped;
 * errored results are dropped so those records run again; summary lines are dropped (the new run writes
 * fresh ones); a half-written last line (the kill) is dropped. The output file is rewritten to what is
 * kept (atomically, only when something was dropped) and the run appends the rest, so the file ends
 * with each record once.
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { cellId, cellOf, type Cell } from '../core/cells.js';
import { resultSchemaId, summarySchemaId, type DatasetRecord, type ResultRecord } from '../core/records.js';
import { resultLineSchema } from '../core/result-line.js';
import { tuneSchemaId } from '../scoring/tune-report.js';
import { readLines } from './read-lines.js';
import type { RunNotices } from './notices.js';
import { asFingerprint, recordFingerprint, runDifferences, type CurrentRun } from './run-fingerprint.js';
import { defaultFileMode } from './write-file.js';

/**
 * `compare --format jsonl` ends its output with one summary line per strategy, `tune --jsonl` with its
 * document: both are written afresh by the run that continues, so a resume drops them.
 */
const summaryLineSchema = z.looseObject({ schema: z.enum([summarySchemaId, tuneSchemaId]) });

export type ResumeLine =
  | { kind: 'blank' }
  | { kind: 'result'; result: ResultRecord }
  | { kind: 'errored'; id: string; cell: Cell }
  | { kind: 'summary' }
  /** A last line without its newline that is not JSON: the write a kill cut short. */
  | { kind: 'cut' };

/** What one line of a resume file is. `lastUnterminated`: the final line, with no newline after it. */
export function classifyResumeLine(text: string, where: string, lastUnterminated: boolean): ResumeLine {
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (lastUnterminated) return { kind: 'cut' };
    throw new InputError(`--resume ${where}: not valid JSON (not a promptlab JSONL result file?)`);
  }
  if (summaryLineSchema.safeParse(value).success) return { kind: 'summary' };
  const parsed = resultLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
    throw new InputError(
      `--resume ${where}: not a ${resultSchemaId} line${field}; resume takes the JSONL written by -o FILE --jsonl`,
    );
  }
  const result: ResultRecord = parsed.data;
  return result.error === null ? { kind: 'result', result } : { kind: 'errored', id: result.id, cell: cellOf(result) };
}

const resultKey = (id: string, cell: Cell): string => JSON.stringify([id, cellId(cell)]);

/**
 * A cell of the resuming run, with what its results must have been made by (run-fingerprint.ts): one
 * without a fingerprint is checked on model and template name alone.
 */
export interface ResumedCell extends Cell, CurrentRun {}

export interface ResumeState {
  /** True when FILE already holds a result without error for this record and cell (model, strategy, variant). */
  isDone(id: string, cell: Cell): boolean;
  /**
   * Throws when FILE's result for this record × cell was made from another record (its fingerprint's
   * record part differs): another dataset under the same ids. Marks the result as seen.
   */
  checkRecord(record: DatasetRecord, cell: Cell, path: string): void;
  /** Ids of kept results of these cells whose record never came by (checkRecord): not in this dataset. */
  unseen(cells: readonly Cell[]): string[];
  /** Results kept from the file. */
  kept: number;
  /** Errored results dropped, to be run again. */
  retried: number;
}

/**
 * Reads FILE, hands each kept result to `onKept` (for the summary), and leaves `outputPath` holding exactly
 * the kept lines, ready to be appended to. A FILE that does not exist yet is an empty start, so a CI step
 * can always pass `--resume`.
 */
export async function prepareResume(
  path: string,
  outputPath: string,
  onKept: (result: ResultRecord) => void,
): Promise<ResumeState> {
  // Key → the record part of the result's fingerprint (null for a line written before fingerprints).
  const done = new Map<string, { id: string; cell: string; record: string | null }>();
  const seen = new Set<string>();
  const state = { kept: 0, retried: 0 };
  const methods = {
    isDone: (id: string, cell: Cell) => done.has(resultKey(id, cell)),
    checkRecord(record: DatasetRecord, cell: Cell, label: string) {
      const key = resultKey(record.id, cell);
      const recorded = done.get(key);
      if (recorded === undefined) return;
      seen.add(key);
      if (recorded.record === null || recorded.record === recordFingerprint(record)) return;
      throw new InputError(
        `--resume ${label}: written by another run: record ${record.id} (${record.source}) is not the record its result in the file was made from (its variables or expected answer differ: another dataset, or other --var/--vars); resume with what wrote it, or write to a new file`,
      );
    },
    unseen(cells: readonly Cell[]) {
      const ids = new Set(cells.map(cellId));
      return [...done].filter(([key, entry]) => ids.has(entry.cell) && !seen.has(key)).map(([, entry]) => entry.id);
    },
  };
  const size = await fileSize(path);
  if (size === null) return { ...state, ...methods };

  const unterminated = size > 0 && !(await endsWithNewline(path));
  // Kept lines stream into a copy; the copy replaces the output only when it differs from what is there.
  let needsRewrite = resolve(path) !== resolve(outputPath);
  const copy = await openCopy(outputPath);
  try {
    const take = async (text: string, where: string, last: boolean) => {
      const entry = classifyResumeLine(text, where, last && unterminated);
      const key = entry.kind === 'result' ? resultKey(entry.result.id, cellOf(entry.result)) : null;
      if (entry.kind === 'result' && !done.has(key!)) {
        done.set(key!, {
          id: entry.result.id,
          cell: cellId(cellOf(entry.result)),
          record: asFingerprint(entry.result.fingerprint)?.record ?? null,
        });
        state.kept++;
        onKept(entry.result);
        await copy.write(`${text}\n`);
        return;
      }
      // Dropped: an errored result (run again), a summary, the cut last line, or a duplicate (the first stands).
      if (entry.kind === 'errored') state.retried++;
      if (entry.kind !== 'blank') needsRewrite = true;
    };
    // One line behind, so the last line is known when it is classified.
    let pending: { text: string; line: number } | null = null;
    for await (const line of readLines(path, `--resume ${path}`)) {
      if (pending !== null) await take(pending.text, `${path}:${pending.line}`, false);
      pending = line;
    }
    if (pending !== null) await take(pending.text, `${path}:${pending.line}`, true);
    if (unterminated) needsRewrite = true;
    await copy.finish(needsRewrite);
  } catch (error) {
    await copy.discard();
    throw error;
  }
  return { ...state, ...methods };
}

/**
 * The command's side of --resume: prepares the file, feeds the kept results of the cells being run to
 * `onKept` (so the summary covers the whole file), and says what it found. Null without --resume.
 */
export async function resumeRun(
  path: string,
  outputPath: string,
  cells: readonly ResumedCell[],
  onKept: (result: ResultRecord) => void,
  notices: RunNotices,
): Promise<ResumeState> {
  let otherCells = 0;
  let unfingerprinted = 0;
  const runCells = new Map(cells.map((cell) => [cellId(cell), cell]));
  const state = await prepareResume(path, outputPath, (result) => {
    const cell = runCells.get(cellId(cellOf(result))) ?? otherModelsCell(cells, result);
    if (cell === null) {
      otherCells++;
      return;
    }
    const differences = runDifferences(result, cell);
    if (differences.length > 0)
      throw new InputError(
        `--resume ${path}: written by another run: ${differences.join('; ')}; resume with what wrote it, or write to a new file`,
      );
    if (asFingerprint(result.fingerprint) === null) unfingerprinted++;
    onKept(result);
  });
  if (state.kept === 0 && state.retried === 0)
    notices.note(`--resume ${path}: nothing to resume yet; starting from the first record`);
  else
    notices.note(
      `--resume ${path}: ${state.kept} result(s) kept${state.retried > 0 ? `, ${state.retried} errored one(s) to run again` : ''}`,
    );
  if (unfingerprinted > 0)
    notices.warn(
      `--resume ${path}: its results carry no run fingerprint (written by an earlier promptlab): only their model, strategy and template name are checked`,
    );
  if (otherCells > 0)
    notices.warn(
      `--resume ${path}: ${otherCells} result(s) of other strategies or models are kept in the file but not summarised`,
    );
  return state;
}

/**
 * The run's cell for a result of a strategy (and variant) this run has, made by a model it does not: a file
 * of another model's run, refused as such. Null for a result of a strategy or variant this run leaves out.
 */
function otherModelsCell(cells: readonly ResumedCell[], result: ResultRecord): ResumedCell | null {
  if (cells.some((cell) => cell.model === result.model)) return null;
  const variant = result.variant ?? null;
  return cells.find((cell) => cell.strategy === result.strategy && cell.variant === variant) ?? null;
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`--resume ${path}: is a directory, not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(`--resume ${path}: cannot read (${code ?? String(error)})`);
  }
}

async function endsWithNewline(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const { buffer } = await file.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await file.close();
  }
}

/** A copy beside `path` that replaces it whole, or not at all: a kill mid-copy leaves `path` as it was. */
async function openCopy(path: string) {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const cannotWrite = (error: unknown) =>
    new InputError(`-o ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  let file: FileHandle;
  try {
    file = await open(temporary, 'w', defaultFileMode);
  } catch (error) {
    throw cannotWrite(error);
  }
  let buffered: string[] = [];
  const flush = async () => {
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    await file.write(text);
  };
  return {
    async write(text: string) {
      buffered.push(text);
      if (buffered.length >= 1000) await flush();
    },
    async finish(replace: boolean) {
      try {
        await flush();
        await file.sync();
        await file.close();
        if (replace) await rename(temporary, path);
        else await rm(temporary, { force: true });
      } catch (error) {
        throw cannotWrite(error);
      }
    },
    async discard() {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
    },
  };
}
