/**
 * Files promptlab writes are written whole or not at all, and an existing file is never destroyed by a run
 * that failed. Results, reports and summaries hold no secret (the key never reaches them): they are
 * created as any program creates a file, 0666 less the umask. What holds prompts (the cache, batch
 * directories) is user-only.
 */
import { access, constants, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** Cache entries and batch files: they hold the prompts. */
export const privateFileMode = 0o600;
/** Results, reports, summaries: the umask decides, as for any file. */
export const defaultFileMode = 0o666;

const temporaryBeside = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`);

export async function writeFileAtomic(path: string, content: string, mode = defaultFileMode): Promise<void> {
  const temporary = temporaryBeside(path);
  try {
    await writeFile(temporary, content, { mode });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A run's document or report, written at its end: it replaces an existing file only when the run got at
 * least one answer, so a run that failed at every record leaves the last good file in place. False when
 * the file was left as it was.
 */
export async function writeRunFile(path: string, content: string, answered: number): Promise<boolean> {
  if (answered === 0 && (await fileExists(path))) return false;
  await writeFileAtomic(path, content);
  return true;
}

/** A JSONL results file that grows a line at a time as records finish. */
export interface GrowingFile {
  write(text: string): Promise<void>;
  /**
   * From now on the lines are the file at its path: a new file, written under a temporary name beside it
   * until now, replaces whatever was there. Idempotent.
   */
  keep(): Promise<void>;
  readonly kept: boolean;
  /** Closes the file; lines never kept are removed and the path keeps what it had. */
  close(): Promise<void>;
}

/**
 * Opens a results file. With `append` (--resume) the lines go straight to the end of the file. Otherwise
 * they go to a temporary file in the same folder, which becomes the file only on `keep()` (the caller keeps
 * it at the first answered record): a run that fails before that leaves an existing file exactly as it
 * was, and once kept, every line is at the path as soon as it is written (the rename keeps the open
 * handle), so a kill -9 loses nothing finished.
 */
export async function openGrowingFile(path: string, append: boolean): Promise<GrowingFile> {
  const cannotWrite = (error: unknown) =>
    new InputError(`-o ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  if (await isDirectory(path)) throw new InputError(`-o ${path}: is a directory, not a file`);
  const written = append ? path : temporaryBeside(path);
  let handle: FileHandle;
  try {
    handle = await open(written, 'a', defaultFileMode);
  } catch (error) {
    throw cannotWrite(error);
  }
  let keeping: Promise<void> | null = append ? Promise.resolve() : null;
  let kept = append;
  return {
    write: async (text) => {
      await handle.write(text);
    },
    keep() {
      keeping ??= rename(written, path).then(
        () => {
          kept = true;
        },
        (error: unknown) => {
          throw cannotWrite(error);
        },
      );
      return keeping;
    },
    get kept() {
      return kept;
    },
    async close() {
      await keeping?.catch(() => undefined);
      await handle.close();
      if (!kept) await rm(written, { force: true });
    },
  };
}

/**
 * Checks, before any request is paid for, that an output written at the end of a run (`--json -o`,
 * a compare report) will have somewhere to go.
 */
export async function checkWritableOutput(path: string, flag: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    throw new InputError(
      `${flag} ${path}: cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** A file the run reads, as messages name it: `{label: '--dataset file', path: 'data.jsonl'}`. */
export interface InputFile {
  label: string;
  path: string;
}

/** The files a run command reads, from its flags (stdin and @-less --vars are no files). */
export function runInputFiles(flagValues: Record<string, unknown>): InputFile[] {
  const named = (flag: string, value: unknown): InputFile[] =>
    (Array.isArray(value) ? value : [value])
      .filter((path): path is string => typeof path === 'string' && path !== '-' && path !== '')
      .map((path) => ({ label: `${flag} file`, path }));
  const vars = typeof flagValues.vars === 'string' && flagValues.vars.startsWith('@') ? flagValues.vars.slice(1) : null;
  return [
    ...named('--dataset', flagValues.dataset),
    ...named('--examples', flagValues.examples),
    ...named('--pool', flagValues.pool),
    ...named('--context', flagValues.context),
    ...named('--baseline', flagValues.baseline),
    ...named('--vars', vars),
  ];
}

/**
 * Refuses an output that is one of the run's inputs — by any spelling, link or hard link — before
 * anything is read or sent: the results would overwrite what they are made from.
 */
export async function refuseInputAsOutput(output: { flag: string; path: string }, inputs: InputFile[]): Promise<void> {
  const target = await identity(output.path);
  if (target === null) return;
  for (const input of inputs) {
    if ((await identity(input.path)) !== target) continue;
    throw new InputError(
      `${output.flag} ${output.path}: is the ${input.label} ${input.path}; the results would overwrite it, so write them to another file`,
    );
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The file a path names (device and inode), or null when there is none. */
async function identity(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return null;
  }
}
