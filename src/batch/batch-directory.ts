/**
 * The batch directory on disk — the I/O side of src/batch:
 *   batch.json        what the run is and where it is (batch-state.ts)
 *   manifest.jsonl    custom_id → record, strategy, phase, sample keys (manifest.ts)
 *   requests-NNN.jsonl  Batch API input files
 *   responses/        collected answers, one cache entry per sample (the response cache's format)
 *   failures.jsonl    failed lines not yet resubmitted
 *   outputs/          output and error files downloaded from the endpoint, kept as they came
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseJsonLine, readLines } from '../run/read-lines.js';
import { privateFileMode, writeFileAtomic } from '../run/write-file.js';
import { failureSchema, type BatchFailure } from './batch-output.js';
import { batchStateSchema, type BatchState, type RequestFile } from './batch-state.js';
import { parseManifestLine, type ManifestEntry } from './manifest.js';
import {
  createFileSplitter,
  requestFileName,
  serializeRequestLine,
  type BatchRequestLine,
  type FileLimits,
} from './request-lines.js';

export const batchPaths = (directory: string) => ({
  state: join(directory, 'batch.json'),
  manifest: join(directory, 'manifest.jsonl'),
  failures: join(directory, 'failures.jsonl'),
  responses: join(directory, 'responses'),
  outputs: join(directory, 'outputs'),
  file: (name: string) => join(directory, name),
});

export async function batchStateExists(directory: string): Promise<boolean> {
  return access(batchPaths(directory).state).then(
    () => true,
    () => false,
  );
}

export async function readBatchState(directory: string): Promise<BatchState> {
  const path = batchPaths(directory).state;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError(
        `${directory}: not a batch directory (no batch.json); create one with "promptlab batch prepare <strategy> -d FILE -o ${directory}"`,
      );
    }
    throw new InputError(`${path}: cannot read (${code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${path}: not valid JSON`);
  }
  const parsed = batchStateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'} (written by another promptlab version?)`,
    );
  }
  return parsed.data;
}

export async function writeBatchState(directory: string, state: BatchState): Promise<void> {
  await writeFileAtomic(batchPaths(directory).state, `${JSON.stringify(state, null, 2)}\n`, privateFileMode);
}

async function* jsonLinesOf(path: string): AsyncGenerator<{ value: unknown; where: string }> {
  try {
    await access(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new InputError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  for await (const line of readLines(path, path)) {
    if (line.text.trim() === '') continue;
    yield { value: parseJsonLine(line, path), where: `${path}:${line.line}` };
  }
}

export async function readManifest(directory: string): Promise<Map<string, ManifestEntry>> {
  const manifest = new Map<string, ManifestEntry>();
  for await (const { value, where } of jsonLinesOf(batchPaths(directory).manifest)) {
    const entry = parseManifestLine(value, where);
    if (entry instanceof Error) throw new InputError(entry.message);
    manifest.set(entry.customId, entry);
  }
  return manifest;
}

export async function appendManifest(directory: string, entries: readonly ManifestEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const handle = await open(batchPaths(directory).manifest, 'a', 0o600);
  try {
    await handle.write(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  } finally {
    await handle.close();
  }
}

export async function readFailures(directory: string): Promise<Map<string, BatchFailure>> {
  const failures = new Map<string, BatchFailure>();
  for await (const { value, where } of jsonLinesOf(batchPaths(directory).failures)) {
    const parsed = failureSchema.safeParse(value);
    if (!parsed.success) throw new InputError(`${where}: not a failure line`);
    failures.set(parsed.data.customId, parsed.data);
  }
  return failures;
}

export async function writeFailures(directory: string, failures: ReadonlyMap<string, BatchFailure>): Promise<void> {
  await writeFileAtomic(
    batchPaths(directory).failures,
    [...failures.values()].map((failure) => `${JSON.stringify(failure)}\n`).join(''),
    privateFileMode,
  );
}

/** Output lines of a file (downloaded or given with --from), each with its file:line for messages. */
export const outputLinesOf = (path: string) => jsonLinesOf(path);

export async function saveDownloadedOutput(directory: string, name: string, content: string): Promise<string> {
  const outputs = batchPaths(directory).outputs;
  await mkdir(outputs, { recursive: true, mode: 0o700 });
  const path = join(outputs, name);
  await writeFileAtomic(path, content, privateFileMode);
  return path;
}

export interface RequestFileWriter {
  /** Appends a line to the current file (starting the next one when a limit would be passed); returns the file's name. */
  write(line: BatchRequestLine): Promise<string>;
  close(): Promise<RequestFile[]>;
  /** Removes every file this writer created (a failed prepare leaves no half phase behind). */
  discard(): Promise<void>;
}

export function createRequestFileWriter(
  directory: string,
  options: { firstNumber: number; limits: FileLimits; phase: number; kind: RequestFile['kind'] },
): RequestFileWriter {
  const splitter = createFileSplitter(options.limits);
  const files: RequestFile[] = [];
  let handle: FileHandle | null = null;
  const closeCurrent = async () => {
    await handle?.close();
    handle = null;
  };
  return {
    async write(line) {
      const text = serializeRequestLine(line);
      const bytes = Buffer.byteLength(text);
      if (splitter.startsNewFile(bytes)) {
        await closeCurrent();
        const name = requestFileName(options.firstNumber + files.length);
        // 'wx': a request file is never overwritten; batch ids may already point at it.
        handle = await open(batchPaths(directory).file(name), 'wx', 0o600);
        files.push({
          name,
          phase: options.phase,
          kind: options.kind,
          requests: 0,
          bytes: 0,
          submission: null,
          status: null,
          collected: false,
        });
      }
      await handle!.write(text);
      const file = files.at(-1)!;
      file.requests += 1;
      file.bytes += bytes;
      return file.name;
    },
    async close() {
      await closeCurrent();
      return files;
    },
    async discard() {
      await closeCurrent();
      await Promise.all(files.map((file) => rm(batchPaths(directory).file(file.name), { force: true })));
    },
  };
}

/** The original request lines of the given custom_ids, from the request files named. */
export async function findRequestLines(
  directory: string,
  files: readonly RequestFile[],
  customIds: ReadonlySet<string>,
): Promise<Map<string, BatchRequestLine>> {
  const found = new Map<string, BatchRequestLine>();
  for (const file of files) {
    for await (const { value } of jsonLinesOf(batchPaths(directory).file(file.name))) {
      const line = value as BatchRequestLine;
      if (customIds.has(line.custom_id) && !found.has(line.custom_id)) found.set(line.custom_id, line);
    }
  }
  return found;
}

export async function sha256OfFile(path: string, flag: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new InputError(`${flag} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return hash.digest('hex');
}
