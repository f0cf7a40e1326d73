/**
 * Temporary directories that a test file removes when it is done.
 *
 * Call `useTempDirs()` once at the top level of a test file (it registers an `afterAll` there; inside a
 * `describe` it would be that block's): the returned `tempDir(prefix)` makes a fresh directory under the
 * system temporary directory and records it. Removal happens after all of the file's tests, not after each,
 * because rows may run concurrently and a CLI child may still be finishing when its test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export type TempDir = (prefix: string) => Promise<string>;

export function useTempDirs(): TempDir {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(
      directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true, maxRetries: 3 })),
    );
  });
  return async (prefix) => {
    const directory = await mkdtemp(join(tmpdir(), prefix));
    directories.push(directory);
    return directory;
  };
}
