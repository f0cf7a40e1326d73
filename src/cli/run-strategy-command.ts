/** `promptlab <strategy> [input]`: one strategy over one input or a dataset. */
import type { ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord, ResultRecord } from '../core/records.js';
import { runRecords, type RunStatistics } from '../core/run-records.js';
import { newEndpointKnowledge } from '../core/sample-completions.js';
import { EndpointError, GateError } from '../errors.js';
import { formatResultRecord } from '../render/result-record.js';
import { renderScoreSummary } from '../render/compare-table.js';
import { checkMaxErrors, parseMaxErrors } from '../scoring/max-errors.js';
import { createExtractionTally } from '../scoring/extraction-note.js';
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
  throttleNote,
} from './run-setup.js';
import { interruptedError, loadResume, resumeAfterFailureHint, resumeOutputPath } from './resume-hints.js';
import { stoppingMessage, watchInterrupts } from './interrupts.js';
import { createTerminal } from './terminal.js';

export const runSchemaId = 'promptlab.run/v1';

export async function runStrategyCommand(
  definition: StrategyDefinition,
  positional: string | undefined,
  flagValues: Record<string, unknown>,
): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true });
  const config = await resolveRunConfig(flagValues);
  const template = await loadRunTemplate(flagValues);
  const answer = resolveAnswerSpec(flagValues, template);
  const match = resolveMatch(flagValues);
  const resumeOutput = resumeOutputPath(flagValues);
  const format = resumeOutput === null ? chooseFormat(flagValues) : 'jsonl';
  const outputPath = resumeOutput ?? (flagValues.output as string | undefined) ?? null;
  const maxErrors = parseMaxErrors(String(flagValues.maxErrors ?? '0'));
  const strategy = await definition.load();
  const prepared = await strategy.prepare(
    flagValues,
    strategySetup(template, answer, resolvePick(flagValues), config, terminal),
  );
  const { records, single } = await openRecords(flagValues, positional, template);

  if (flagValues.dryRun === true) {
    await printDryRun(records, (record) => prepared.render(record), {
      strategy: definition.name,
      template: template.name,
      format,
      single,
    });
    return;
  }

  const model = requireModel(config);
  const temperature = config.temperature ?? definition.defaultTemperature;
  if (definition.defaultTemperature > 0 && temperature === 0) {
    terminal.warn(`${definition.name} at temperature 0 samples the same path every time; use --temperature 0.5–0.7`);
  }
  const { client, throttling } = await createRunClient(config, model, terminal, flagValues.replay === true);
  const summary = createSummaryAccumulator(definition.name);
  const extraction = createExtractionTally(answer);
  const resume = await loadResume(
    flagValues,
    resumeOutput,
    { model, template: template.name, strategies: [definition.name] },
    (result) => summary.add(result),
    terminal,
  );
  const sink = await createResultSink({
    format,
    outputPath,
    append: resume !== null,
    // A dataset's records arrive out of order: each line says which record it is.
    renderHuman: (result) => {
      const view = formatResultRecord(result, terminal.stdoutColors, flagValues.verbose === true);
      return single ? view : `${terminal.stdoutColors.cyan(result.id)}  ${view}`;
    },
  });
  // Only a JSONL file can be resumed: stdout is gone once read, and a --json document is written at the end.
  const resumable = format === 'jsonl' ? outputPath : null;
  const interrupts = watchInterrupts((signal, graceMs) => terminal.warn(stoppingMessage(signal, graceMs)));
  let firstError: string | null = null;
  let done = 0;
  let errors = 0;
  let statistics: RunStatistics;
  try {
    statistics = await runRecords({
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
      alreadyDone: resume?.isDone,
      stopSignal: interrupts.stopSignal,
      onResult: async (result, record) => {
        summary.add(result);
        extraction.add(result);
        firstError ??= result.error;
        done++;
        if (result.error !== null) errors++;
        await sink.write(result, record);
        terminal.progress(`${definition.name}: ${done} done, ${errors} errors`);
      },
    });
  } catch (error) {
    await sink.abandon();
    const hint = resumeAfterFailureHint(done + (resume?.kept ?? 0), resumable);
    if (hint !== null) terminal.warn(hint);
    throw error;
  } finally {
    terminal.stopProgress();
    interrupts.dispose();
    const note = throttleNote(throttling.report(), config.concurrency);
    if (note !== null) terminal.warn(note);
  }

  const guessed = extraction.note();
  if (guessed !== null) terminal.warn(guessed);
  const finished = summary.finish();
  const endpoint = throttling.report();
  await sink.close((results: ResultRecord[]) =>
    single
      ? (results[0] ?? null)
      : {
          schema: runSchemaId,
          strategy: definition.name,
          model,
          template: template.name,
          summary: finished,
          endpoint,
          results,
        },
  );
  // On a terminal the summary follows the records on stdout; in pipes it is a note for the person watching.
  if (!single && format === 'human') process.stdout.write(`\n${renderScoreSummary(finished, terminal.stdoutColors)}\n`);
  else if (!single) terminal.note(renderScoreSummary(finished, terminal.stdoutColors));
  if (statistics.interrupted) throw interruptedError(statistics.finished, resumable);
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
    const entry = {
      id: record.id,
      strategy: context.strategy,
      template: context.template,
      messages: await render(record),
    };
    if (context.format === 'jsonl') process.stdout.write(`${JSON.stringify(entry)}\n`);
    else if (context.format === 'human') process.stdout.write(`${formatMessages(entry.id, entry.messages)}\n`);
    else rendered.push(entry);
  }
  if (context.format === 'json')
    process.stdout.write(`${JSON.stringify(context.single ? rendered[0] : rendered, null, 2)}\n`);
}

export function formatMessages(id: string, messages: readonly ChatMessage[]): string {
  const blocks = messages.map((message) => `[${message.role}]\n${message.content}`);
  return [`# ${id}`, ...blocks, ''].join('\n');
}
