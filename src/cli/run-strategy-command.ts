/** `promptlab <strategy> [input]`: one strategy over one input or a dataset. */
import type { ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { runRecords } from '../core/run-records.js';
import { newEndpointKnowledge } from '../core/sample-completions.js';
import { EndpointError, GateError, InterruptedError } from '../errors.js';
import { formatResultRecord } from '../render/result-record.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { checkMaxErrors, parseMaxErrors } from '../scoring/gates.js';
import { createSummaryAccumulator } from '../scoring/summary.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { chooseFormat, createResultSink, type OutputFormat } from './result-sink.js';
import {
  createRunClient,
  loadRunTemplate,
  openRecords,
  requireModel,
  resolveAnswerSpec,
  resolveMatch,
  resolvePick,
  resolveRunConfig,
  strategySetup,
} from './run-setup.js';
import { watchInterrupts } from './interrupts.js';
import { createTerminal } from './terminal.js';

export const runSchemaId = 'promptlab.run/v1';

export async function runStrategyCommand(definition: StrategyDefinition, positional: string | undefined, flagValues: Record<string, unknown>): Promise<void> {
  const terminal = createTerminal({ quiet: flagValues.quiet === true });
  const config = await resolveRunConfig(flagValues);
  const template = await loadRunTemplate(flagValues);
  const answer = resolveAnswerSpec(flagValues, template);
  const match = resolveMatch(flagValues);
  const format = chooseFormat(flagValues);
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const strategy = await definition.load();
  const prepared = await strategy.prepare(flagValues, strategySetup(template, answer, resolvePick(flagValues), config, terminal));
  const { records, single } = await openRecords(flagValues, positional);

  if (flagValues.dryRun === true) {
    await printDryRun(records, (record) => prepared.render(record), { strategy: definition.name, template: template.name, format, single });
    return;
  }

  const model = requireModel(config);
  const temperature = config.temperature ?? definition.defaultTemperature;
  if (definition.defaultTemperature > 0 && temperature === 0) {
    terminal.warn(`${definition.name} at temperature 0 samples the same path every time; use --temperature 0.5–0.7`);
  }
  const { client } = await createRunClient(config, model, terminal, flagValues.replay === true);
  const interrupts = watchInterrupts();
  const summary = createSummaryAccumulator(definition.name);
  const sink = await createResultSink({
    format,
    outputPath: (flagValues.output as string | undefined) ?? null,
    append: false,
    renderHuman: (result) => formatResultRecord(result, terminal.stdoutColors, flagValues.verbose === true),
  });
  let firstError: string | null = null;
  let done = 0;
  let errors = 0;
  const statistics = await runRecords({
    records,
    jobs: [
      {
        strategy: definition.name,
        prepared,
        context: {
          client,
          temperature,
          maxTokens: config.maxTokens,
          seed: config.seed,
          endpoint: newEndpointKnowledge(),
          signal: interrupts.abortSignal,
          warn: (message) => terminal.warn(message),
        },
      },
    ],
    concurrency: config.concurrency,
    model,
    template: template.name,
    answer,
    match,
    stopSignal: interrupts.stopSignal,
    onResult: async (result, record) => {
      summary.add(result);
      firstError ??= result.error;
      done++;
      if (result.error !== null) errors++;
      await sink.write(result, record);
      terminal.progress(`${definition.name}: ${done} done, ${errors} errors`);
    },
  }).finally(() => {
    terminal.stopProgress();
    interrupts.dispose();
  });

  const finished = summary.finish();
  await sink.close((results: ResultRecord[]) =>
    single ? results[0] ?? null : { schema: runSchemaId, strategy: definition.name, model, template: template.name, summary: finished, results },
  );
  if (!single && format !== 'human') terminal.note(renderScoreSummary(finished, terminal.stdoutColors));
  if (statistics.interrupted) throw new InterruptedError(`interrupted after ${statistics.finished} record(s); finished results were written`);
  if (statistics.errored > 0 && statistics.answered === 0) {
    throw new EndpointError(`${config.baseUrl}: no record got an answer (${firstError ?? 'unknown error'})`);
  }
  const gate = checkMaxErrors([finished], maxErrors)[0];
  if (gate !== undefined) throw new GateError(gate.message);
}

async function printDryRun(
  records: AsyncIterable<DatasetRecord>,
  render: (record: DatasetRecord) => Promise<ChatMessage[]>,
  context: { strategy: string; template: string; format: OutputFormat; single: boolean },
): Promise<void> {
  const rendered: Array<{ id: string; strategy: string; template: string; messages: ChatMessage[] }> = [];
  for await (const record of records) {
    const entry = { id: record.id, strategy: context.strategy, template: context.template, messages: await render(record) };
    if (context.format === 'jsonl') process.stdout.write(`${JSON.stringify(entry)}\n`);
    else if (context.format === 'human') process.stdout.write(`${formatMessages(entry.id, entry.messages)}\n`);
    else rendered.push(entry);
  }
  if (context.format === 'json') process.stdout.write(`${JSON.stringify(context.single ? rendered[0] : rendered, null, 2)}\n`);
}

export function formatMessages(id: string, messages: readonly ChatMessage[]): string {
  const blocks = messages.map((message) => `[${message.role}]\n${message.content}`);
  return [`# ${id}`, ...blocks, ''].join('\n');
}
