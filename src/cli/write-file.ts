/** Files promptlab writes hold results or cached answers: user-only permissions, whole or not at all. */
import { open, rename, rm, writeFile } from 'node:fs/promises';
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
  return open(path, append ? 'a' : 'w', 0o600);
}
