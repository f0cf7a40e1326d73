/**
 * Where results go: JSON Lines written as each record finishes, one JSON document at the end, or the
 * human view on a terminal. With -o the same bytes go to a file instead of stdout.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';
import { runSchemaId, type DatasetRecord, type ResultRecord } from '../core/records.js';
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import { summaryForJson } from '../scoring/json-numbers.js';
import type { StrategySummary } from '../scoring/summary.js';
import { checkWritableOutput, openAppendable, writeFileAtomic } from './write-file.js';

export type OutputFormat = 'human' | 'json' | 'jsonl';

export function chooseFormat(flagValues: Record<string, unknown>, stdout: { isTTY?: boolean }): OutputFormat {
  if (flagValues.json === true && flagValues.jsonl === true) throw new UsageError('--json and --jsonl: choose one');
  if (flagValues.jsonl === true) return 'jsonl';
  if (flagValues.json === true) return 'json';
  const output = flagValues.output as string | undefined;
  if (output !== undefined) return output.endsWith('.jsonl') ? 'jsonl' : 'json';
  // Pipes get JSON: a script reading us should not have to ask for it.
  return stdout.isTTY ? 'human' : 'json';
}

export interface ResultSink {
  write(result: ResultRecord, record: DatasetRecord): Promise<void>;
  /** JSONL only: one more line that is not a result (a summary). */
  writeLine(value: unknown): Promise<void>;
  /** Ends the output; `document` is what a whole-document (--json) run prints around the results. */
  close(document: (results: ResultRecord[]) => unknown): Promise<void>;
  /** The run failed: close the file (the lines written stay, for --resume) and print no document. */
  abandon(): Promise<void>;
}

export interface SinkOptions {
  format: OutputFormat;
  outputPath: string | null;
  append: boolean;
  renderHuman: (result: ResultRecord) => string;
  stdout: NodeJS.WritableStream;
}

export async function createResultSink(options: SinkOptions): Promise<ResultSink> {
  let file: FileHandle | null = null;
  if (options.outputPath !== null && options.format !== 'jsonl') await checkWritableOutput(options.outputPath, '-o');
  if (options.outputPath !== null && options.format === 'jsonl') {
    try {
      file = await openAppendable(options.outputPath, options.append);
    } catch (error) {
      throw new InputError(
        `-o ${options.outputPath}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  }
  const collected: Array<{ result: ResultRecord; index: number }> = [];
  const writeStdout = (text: string) =>
    new Promise<void>((resolve) => {
      if (options.stdout.write(text)) resolve();
      else options.stdout.once('drain', resolve);
    });

  const writeLine = async (value: unknown) => {
    const line = `${JSON.stringify(value)}\n`;
    if (file !== null) await file.write(line);
    else await writeStdout(line);
  };

  return {
    writeLine,
    async write(result, record) {
      if (options.format === 'jsonl') {
        await writeLine(result);
      } else if (options.format === 'json') {
        collected.push({ result, index: record.index });
      } else {
        await writeStdout(`${options.renderHuman(result)}\n`);
      }
    },
    async abandon() {
      await file?.close();
      file = null;
    },
    async close(document) {
      if (file !== null) {
        await file.close();
        return;
      }
      if (options.format !== 'json') return;
      collected.sort((left, right) => left.index - right.index);
      const text = `${JSON.stringify(document(collected.map((entry) => entry.result)), null, 2)}\n`;
      if (options.outputPath !== null) await writeFileAtomic(options.outputPath, text);
      else await writeStdout(text);
    },
  };
}

/** The --json document of one strategy's run over a dataset. */
export function runDocument(
  run: { strategy: string; model: string; template: string },
  summary: StrategySummary,
  endpoint: ThrottleReport | null,
  results: ResultRecord[],
): object {
  return {
    schema: runSchemaId,
    ...run,
    summary: summaryForJson(summary),
    ...(endpoint === null ? {} : { endpoint }),
    results,
  };
}
