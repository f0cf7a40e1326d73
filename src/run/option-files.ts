/**
 * The files a strategy's options name (--examples, --pool, --context), read once per run however many
 * jobs name them: the strategy parses the very bytes the run's fingerprint hashes, and the variants of an
 * eval or the candidates of a tune that share a file share its one read.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { textFingerprint } from '../core/fingerprint.js';
import { InputError } from '../errors.js';
import { checkReadable } from './read-lines.js';

export interface OptionFile {
  bytes: Buffer;
  /** `file:HASH` of the content, as the fingerprint keeps it. */
  fingerprint: string;
}

export interface OptionFiles {
  /** The file as first read in this run; errors name the flag and the file. */
  read(path: string, flag: string): Promise<OptionFile>;
}

export function optionFiles(): OptionFiles {
  const files = new Map<string, Promise<OptionFile>>();
  return {
    read(path, flag) {
      const key = resolve(path);
      let file = files.get(key);
      if (file === undefined) {
        file = readOptionFile(path, flag);
        files.set(key, file);
      }
      return file;
    },
  };
}

async function readOptionFile(path: string, flag: string): Promise<OptionFile> {
  await checkReadable(path, flag);
  try {
    const bytes = await readFile(resolve(path));
    return { bytes, fingerprint: `file:${textFingerprint(bytes)}` };
  } catch (error) {
    throw new InputError(`${flag} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
