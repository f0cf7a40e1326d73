/**
 * A run's option files (--examples, --pool, --context) are read once: every job that names a file, and
 * the fingerprint its results carry, get the bytes of that one read.
 */
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textFingerprint } from '../../src/core/fingerprint.js';
import { InputError } from '../../src/errors.js';
import { optionFiles } from '../../src/run/option-files.js';
import { readDemonstrations } from '../../src/run/read-demonstrations.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

describe('optionFiles', () => {
  it('reads a file once, however its path is spelt, and hashes what it read', async () => {
    const directory = await makeTempDir('promptlab-option-files-');
    const path = join(directory, 'examples.jsonl');
    const first = '{"input":"2+2","output":"4"}\n';
    await writeFile(path, first);
    const files = optionFiles();
    const demonstrations = await readDemonstrations(path, '--examples', files);
    expect(demonstrations.map((demo) => demo.output)).toEqual(['4']);
    await writeFile(path, '{"input":"3+3","output":"6"}\n');
    const again = await files.read(relative(process.cwd(), path), '--examples');
    expect(again.bytes.toString('utf8')).toBe(first);
    expect(again.fingerprint).toBe(`file:${textFingerprint(Buffer.from(first))}`);
    // A new run reads the file as it is now.
    expect((await optionFiles().read(path, '--examples')).bytes.toString('utf8')).not.toBe(first);
  });

  it('names the flag and the file it cannot read', async () => {
    const directory = await makeTempDir('promptlab-option-files-');
    const path = join(directory, 'none.jsonl');
    await expect(optionFiles().read(path, '--pool')).rejects.toThrow(new InputError(`--pool ${path}: no such file`));
    await expect(optionFiles().read(directory, '--context')).rejects.toThrow(
      new InputError(`--context ${directory}: is a directory, not a file`),
    );
  });
});
