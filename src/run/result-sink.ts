/**
 * Where results go: JSON Lines written as each record finishes, or one JSON document at the end. With -o
 * the same bytes go to a file instead of stdout. The human view on a terminal is the command's
 * (cli/result-output.ts); chooseFormat says which of the three a run gets.
 */
import { UsageError } from '../errors.js';
import { runSchemaId, type DatasetRecord, type ResultRecord } from '../core/records.js';
import type { ThrottleReport } from '../core/adaptive-concurrency.js';
import { summaryForJson } from '../scoring/json-numbers.js';
import type { StrategySummary } from '../scoring/summary.js';
import { checkWritableOutput, fileExists, openGrowingFile, writeRunFile, type GrowingFile } from './write-file.js';

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
  /** True once the -o file holds this run's results (false for stdout, and while an earlier file stands). */
  readonly wroteFile: boolean;
}

export interface SinkOptions {
  format: Exclude<OutputFormat, 'human'>;
  outputPath: string | null;
  append: boolean;
  stdout: NodeJS.WritableStream;
}

/**
 * An existing -o file is replaced only by a run that has results: the JSONL file at the first answered
 * record (see openGrowingFile), a document at the end when something was answered. A run that fails
 * before, or errors at every record, leaves the file as it was; where there was none, it is written.
 */
export async function createResultSink(options: SinkOptions): Promise<ResultSink> {
  let file: GrowingFile | null = null;
  if (options.outputPath !== null && options.format !== 'jsonl') await checkWritableOutput(options.outputPath, '-o');
  if (options.outputPath !== null && options.format === 'jsonl')
    file = await openGrowingFile(options.outputPath, options.append);
  const collected: Array<{ result: ResultRecord; index: number }> = [];
  let answered = 0;
  let wroteDocument = false;
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
    get wroteFile() {
      return file?.kept === true || wroteDocument;
    },
    async write(result, record) {
      if (result.error === null) answered++;
      if (options.format === 'jsonl') {
        await writeLine(result);
        if (result.error === null) await file?.keep();
      } else {
        collected.push({ result, index: record.index });
      }
    },
    async abandon() {
      await file?.close();
    },
    async close(document) {
      if (file !== null) {
        if (!file.kept && !(await fileExists(options.outputPath!))) await file.keep();
        await file.close();
        return;
      }
      if (options.format === 'jsonl') return;
      collected.sort((left, right) => left.index - right.index);
      const text = `${JSON.stringify(document(collected.map((entry) => entry.result)), null, 2)}\n`;
      if (options.outputPath !== null) wroteDocument = await writeRunFile(options.outputPath, text, answered);
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
