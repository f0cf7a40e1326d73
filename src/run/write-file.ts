/** Files promptlab writes hold results or cached answers: user-only permissions, whole or not at all. */
import { access, constants, open, rename, rm, writeFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { dirname, basename, join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temporary, content, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A JSONL file that grows line by line as results finish (append on resume). */
export async function openAppendable(path: string, append: boolean): Promise<FileHandle> {
  const handle = await open(path, append ? 'a' : 'w', 0o600);
  // `mode` applies only when the file is created; an existing results file is made user-only too.
  await handle.chmod(0o600);
  return handle;
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
