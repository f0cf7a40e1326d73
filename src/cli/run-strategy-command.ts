/** `promptlab <strategy> [input]`: one strategy over one input or a dataset. */
import type { ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord } from '../core/records.js';
import { formatMessages } from '../render/messages.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { executeRun } from '../run/execute-run.js';
import type { Io } from '../run/io.js';
import { parseMaxErrors } from '../scoring/max-errors.js';
import { chooseFormat, type OutputFormat } from '../run/result-sink.js';
import { outputFlag, resumeOutputPath } from '../run/resume-hints.js';
import { refuseInputAsOutput, runInputFiles } from '../run/write-file.js';
import { countDatasetRecords } from '../run/read-dataset.js';
import { prepareJob, withModel } from '../run/prepare-job.js';
import { liveResults } from '../run/run-records.js';
import { createRunClient, openRecords, requireModel, resolveMatch, resolveRunConfig } from '../run/run-setup.js';
import { resultOutput } from './result-output.js';
import { progressView } from './run-view.js';
import { createTerminal } from './terminal.js';

export async function runStrategyCommand(
  definition: StrategyDefinition,
  positional: string | undefined,
  flagValues: Record<string, unknown>,
  io: Io,
): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const config = await resolveRunConfig(flagValues, io.env);
  const match = resolveMatch(flagValues);
  const resumeOutput = resumeOutputPath(flagValues);
  const format = resumeOutput === null ? chooseFormat(flagValues, io.stdout) : 'jsonl';
  const outputPath = resumeOutput ?? (flagValues.output as string | undefined) ?? null;
  if (outputPath !== null) await refuseInputAsOutput(outputFlag(flagValues, outputPath), runInputFiles(flagValues));
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const warn = (message: string) => terminal.warn(message);
  const job = await prepareJob({ definition, variant: null, settings: flagValues }, { config, warn });
  const template = job.template;
  const { records, single } = await openRecords(flagValues, positional, template, io.stdin);

  if (flagValues.dryRun === true) {
    await printDryRun(records, (record) => job.prepared.render(record), {
      strategy: definition.name,
      template: template.name,
      format,
      single,
      stdout: io.stdout,
    });
    return;
  }

  const model = requireModel(config);
  const { client, throttling } = await createRunClient(
    config,
    model,
    (status, retryAfterMs) => terminal.throttled(status, retryAfterMs),
    flagValues.replay === true,
  );
  const jobs = [withModel(job, model, client)];
  await executeRun({
    source: liveResults({ records, jobs, concurrency: config.concurrency, match, seed: config.seed, warn }),
    cells: jobs,
    resume: resumeOutput === null ? null : { flagValues, outputPath: resumeOutput },
    openOutput: resultOutput({
      format,
      outputPath,
      single,
      verbose: flagValues.verbose === true,
      run: { strategy: definition.name, model, template: template.name },
      terminal,
      stdout: io.stdout,
    }),
    endpoint: { label: config.baseUrl, throttling: { report: throttling.report, concurrency: config.concurrency } },
    maxErrors,
    countRecords: async () => (single ? 1 : countDatasetRecords(String(flagValues.dataset))),
    callbacks: {
      warn,
      note: (message) => terminal.note(message),
      ...(await progressView(terminal, flagValues.dataset as string | undefined)),
    },
  });
}

async function printDryRun(
  records: AsyncIterable<DatasetRecord>,
  render: (record: DatasetRecord) => Promise<ChatMessage[]>,
  context: { strategy: string; template: string; format: OutputFormat; single: boolean; stdout: NodeJS.WritableStream },
): Promise<void> {
  const rendered: Array<{ id: string; strategy: string; template: string; messages: ChatMessage[] }> = [];
  for await (const record of records) {
    const entry = {
      id: record.id,
      strategy: context.strategy,
      template: context.template,
      messages: await render(record),
    };
    if (context.format === 'jsonl') context.stdout.write(`${JSON.stringify(entry)}\n`);
    else if (context.format === 'human') context.stdout.write(`${formatMessages(entry.id, entry.messages)}\n`);
    else rendered.push(entry);
  }
  if (context.format === 'json')
    context.stdout.write(`${JSON.stringify(context.single ? rendered[0] : rendered, null, 2)}\n`);
}
